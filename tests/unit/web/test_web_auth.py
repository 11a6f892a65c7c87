"""Login, sessions, cookies, CSRF and lock-out through the HTTP interface (FastAPI's TestClient)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Route

from tests.unit.web.support import PASSWORD, csrf_token, login
from web.app import create_app
from web.audit import AuditFilter
from web.settings import WebSettings

OPEN_PATHS = {"/login", "/static"}


EXAMPLES = {"number": "0", "kind": "csv", "name": "olga"}


def _path_example(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: EXAMPLES.get(m.group(1), "0" * 32), path)


def _flat(routes: list[Any]) -> list[Route]:
    """Every route, also those of included routers (FastAPI keeps them behind an included-router entry)."""
    found: list[Route] = []
    for route in routes:
        if isinstance(route, Route):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(_flat(route.original_router.routes))
    return found


def routes(app: FastAPI) -> list[tuple[str, str]]:
    found = []
    for route in _flat(app.routes):
        if route.path not in OPEN_PATHS:
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    found.append((method, _path_example(route.path)))
    return found


def test_every_page_and_api_route_needs_a_login(app: FastAPI, client: TestClient) -> None:
    checked = routes(app)
    assert len(checked) >= 20  # the enumeration found the app's routes
    for method, path in checked:
        answer = client.request(method, path, follow_redirects=False)
        if path.startswith("/api/"):
            assert answer.status_code == 401, (method, path)
            assert answer.json() == {"error": "login required"}
        else:
            assert answer.status_code == 303, (method, path)
            assert answer.headers["location"].startswith("/login"), (method, path)


def test_there_is_no_open_api_documentation(client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert client.get(path).status_code == 404


def test_login_redirects_to_the_page_asked_for_and_logout_ends_the_session(client: TestClient) -> None:
    first = client.get("/saved?x=1", follow_redirects=False)
    answer = login(client, "olga", next="/saved?x=1")
    page = client.get("/saved")
    token = csrf_token(client)
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    after = client.get("/saved", follow_redirects=False)

    assert first.headers["location"] == "/login?next=%2Fsaved%3Fx%3D1"
    assert answer.status_code == 303 and answer.headers["location"] == "/saved?x=1"
    assert page.status_code == 200 and "olga" in page.text
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert after.status_code == 303


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_never_redirects_off_the_site(client: TestClient, target: str) -> None:
    answer = login(client, "olga", next=target)

    assert answer.headers["location"] == "/search"


def test_session_cookies_are_secure_http_only_and_same_site_strict(
    make_settings: Callable[..., WebSettings],
) -> None:
    settings = make_settings(secure_cookies=True)
    app = create_app(settings)
    client = TestClient(app, base_url="https://testserver")
    answer = login(client, "olga")
    cookie = answer.headers["set-cookie"]
    app.state.web.close()

    assert cookie.startswith("__Host-sr_session=")
    for flag in ("Secure", "HttpOnly", "SameSite=strict", "Path=/"):
        assert flag in cookie
    assert "Domain=" not in cookie
    assert "max-age=31536000" in answer.headers["strict-transport-security"]


def test_a_wrong_password_is_refused_and_recorded(app: FastAPI, client: TestClient) -> None:
    answer = login(client, "olga", "not the password")

    assert answer.status_code == 401 and "Wrong user name or password." in answer.text
    entry = app.state.web.audit.entries(AuditFilter(action="login_failed"))[0]
    assert (entry.user, entry.detail) == ("olga", "refused")


def test_repeated_failures_lock_out_over_http(app: FastAPI, client: TestClient) -> None:
    statuses = [login(client, "arno", "not the password").status_code for _ in range(5)]
    with_right_password = login(client, "arno", PASSWORD)

    assert statuses == [401, 401, 401, 401, 429]
    assert with_right_password.status_code == 429
    assert "locked until" in with_right_password.text
    assert client.get("/saved", follow_redirects=False).status_code == 303


def test_one_address_trying_many_names_is_locked_out_over_http(
    make_settings: Callable[..., WebSettings],
) -> None:
    app = create_app(make_settings(lockout_address_failures=3))
    client = TestClient(app)  # every request comes from the address "testclient"
    statuses = [login(client, name, "not the password").status_code for name in ("anna", "bert", "carl")]
    real_account = login(client, "olga", PASSWORD)
    entries = app.state.web.audit.entries(AuditFilter(action="login_failed"))
    app.state.web.close()

    assert statuses == [401, 401, 429]
    assert real_account.status_code == 429
    assert "Too many failed logins from your computer" in real_account.text
    assert [entry.detail for entry in entries] == ["address_locked"] * 2 + ["refused"] * 2
    assert {entry.client for entry in entries} == {"testclient"}


def test_an_admin_sees_a_locked_address_and_lifts_the_lock_on_the_users_page(
    make_settings: Callable[..., WebSettings],
) -> None:
    app = create_app(make_settings(lockout_address_failures=3))
    # No packets are sent: TestClient calls the app in-process; the address is only a label.
    guesser = TestClient(app, client=("192.0.2.10", 40000))
    for name in ("anna", "bert", "carl"):
        login(guesser, name, "not the password")
    locked_out = login(guesser, "olga", PASSWORD).status_code
    admin = TestClient(app)
    login(admin, "adam")
    listed = admin.get("/admin/users").text
    edited = admin.post(
        "/admin/addresses/unlock",
        data={"csrf_token": csrf_token(admin), "address": "not an address"},
        follow_redirects=True,
    )
    lifted = admin.post(
        "/admin/addresses/unlock",
        data={"csrf_token": csrf_token(admin), "address": "192.0.2.10"},
        follow_redirects=True,
    )
    back_in = login(guesser, "olga", PASSWORD).status_code
    entries = app.state.web.audit.entries(AuditFilter(action="address_unlock"))
    app.state.web.close()

    assert locked_out == 429
    assert "<bdi>192.0.2.10</bdi>" in listed and "No client address is locked out" not in listed
    assert "is not a locked client address" in edited.text
    assert "192.0.2.10 is unlocked." in lifted.text and "No client address is locked out" in lifted.text
    assert back_in == 303
    assert [(e.user, e.query, e.detail) for e in entries] == [("adam", "192.0.2.10", "was locked")]


def test_only_admins_can_lift_an_address_lock(client: TestClient) -> None:
    login(client, "arno")
    answer = client.post(
        "/admin/addresses/unlock",
        data={"csrf_token": csrf_token(client), "address": "192.0.2.10"},
        follow_redirects=False,
    )

    assert answer.status_code == 403


def test_a_login_post_without_the_form_token_is_refused(client: TestClient) -> None:
    answer = client.post("/login", data={"name": "olga", "password": PASSWORD}, follow_redirects=False)

    assert answer.status_code == 403 and "Form refused" in answer.text


def test_posts_without_the_session_csrf_token_are_refused(app: FastAPI, client: TestClient) -> None:
    login(client, "adam")
    token = csrf_token(client)
    missing = client.post("/logout", follow_redirects=False)
    wrong = client.post("/logout", data={"csrf_token": token[:-1] + "x"}, follow_redirects=False)
    add = client.post(
        "/admin/users",
        data={"name": "mallory", "role": "admin", "password": PASSWORD},
        follow_redirects=False,
    )
    foreign = client.post(
        "/logout",
        data={"csrf_token": token},
        headers={"origin": "https://evil.example"},
        follow_redirects=False,
    )

    assert [a.status_code for a in (missing, wrong, add, foreign)] == [403, 403, 403, 403]
    assert client.get("/saved", follow_redirects=False).status_code == 200  # still logged in
    assert app.state.web.accounts.get("mallory") is None


def test_every_form_of_a_page_carries_the_csrf_token(client: TestClient) -> None:
    login(client, "adam")
    token = csrf_token(client)
    page = client.get("/admin/users").text
    forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", page, flags=re.S)

    assert len(forms) >= 5
    assert all(f'name="csrf_token" value="{token}"' in form for form in forms)


def test_pages_carry_the_security_headers(client: TestClient) -> None:
    for answer in (client.get("/login"), client.get("/static/app.css")):
        csp = answer.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "same-origin"
    assert client.get("/login").headers["cache-control"] == "no-store"


def test_no_template_has_inline_script_style_or_event_handlers() -> None:
    from pathlib import Path

    import web

    folder = Path(web.__file__).with_name("templates")
    for template in folder.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "<style" not in text and " style=" not in text, template.name
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"\son[a-z]+=", text), template.name
