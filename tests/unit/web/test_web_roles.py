"""Roles over HTTP: officers search, analysts also read the configuration, admins manage users
and read the audit log; account changes by admins go through CSRF-checked forms."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.unit.web.support import PASSWORD, csrf_token, login
from web.audit import AuditFilter

PAGES = ["/saved", "/saved/forged-passports", "/config", "/audit", "/audit.csv", "/admin/users"]
ALLOWED = {
    "olga": {"/saved", "/saved/forged-passports"},
    "arno": {"/saved", "/saved/forged-passports", "/config"},
    "adam": set(PAGES),
}


@pytest.mark.parametrize("user", sorted(ALLOWED))
def test_each_role_reaches_its_pages_only(client: TestClient, user: str) -> None:
    login(client, user)
    answers = {page: client.get(page, follow_redirects=False).status_code for page in PAGES}

    assert {page for page, status in answers.items() if status == 200} == ALLOWED[user]
    assert all(status == 403 for page, status in answers.items() if page not in ALLOWED[user])


def test_the_menu_shows_what_the_role_may_open(client: TestClient) -> None:
    login(client, "olga")
    officer = client.get("/saved").text

    assert 'href="/search"' in officer and 'href="/trends"' in officer
    assert (
        'href="/config"' not in officer
        and 'href="/audit"' not in officer
        and 'href="/admin/users"' not in officer
    )


def test_an_admin_adds_a_user_who_can_then_log_in(app: FastAPI, client: TestClient) -> None:
    login(client, "adam")
    token = csrf_token(client, "/admin/users")
    added = client.post(
        "/admin/users",
        data={"csrf_token": token, "name": "nina", "role": "analyst", "password": PASSWORD},
        follow_redirects=False,
    )
    other = TestClient(app)

    assert added.status_code == 303
    assert login(other, "nina").status_code == 303
    assert other.get("/config").status_code == 200
    entry = app.state.web.audit.entries(AuditFilter(action="user_add"))[0]
    assert (entry.user, entry.query, entry.detail) == ("adam", "nina", "role=analyst")


def test_a_role_change_ends_the_users_sessions(app: FastAPI, client: TestClient) -> None:
    analyst = TestClient(app)
    login(analyst, "arno")
    assert analyst.get("/config").status_code == 200
    login(client, "adam")
    token = csrf_token(client, "/admin/users")
    client.post("/admin/users/arno", data={"csrf_token": token, "change": "role", "role": "officer"})

    assert analyst.get("/config", follow_redirects=False).status_code == 303  # logged out
    login(analyst, "arno")
    assert analyst.get("/config").status_code == 403


def test_an_admin_lifts_a_lock_out(client: TestClient, app: FastAPI) -> None:
    locked = TestClient(app)
    for _ in range(5):
        login(locked, "olga", "not the password")
    assert login(locked, "olga").status_code == 429
    login(client, "adam")
    token = csrf_token(client, "/admin/users")
    client.post("/admin/users/olga", data={"csrf_token": token, "change": "unlock"})

    assert login(locked, "olga").status_code == 303


def test_an_admin_cannot_disable_their_own_account(client: TestClient) -> None:
    login(client, "adam")
    token = csrf_token(client, "/admin/users")
    answer = client.post("/admin/users/adam", data={"csrf_token": token, "change": "disable"})

    assert answer.status_code == 400 and "your own account" in answer.text
    assert client.get("/admin/users").status_code == 200


def test_a_disabled_user_is_logged_out_at_once(client: TestClient, app: FastAPI) -> None:
    officer = TestClient(app)
    login(officer, "olga")
    login(client, "adam")
    token = csrf_token(client, "/admin/users")
    client.post("/admin/users/olga", data={"csrf_token": token, "change": "disable"})

    assert officer.get("/saved", follow_redirects=False).status_code == 303
    assert login(officer, "olga").status_code == 401


def test_admins_read_and_export_the_audit_log(client: TestClient) -> None:
    login(client, "olga", "not the password")
    login(client, "adam")
    page = client.get("/audit?action=login_failed")
    export = client.get("/audit.csv")
    verified = client.get("/audit?verify=1")

    assert page.status_code == 200 and "login_failed" in page.text and "olga" in page.text
    assert export.headers["content-type"].startswith("text/csv")
    lines = export.text.strip().splitlines()
    assert lines[0] == "id,at,user,role,action,query,results,detail,client,hash"
    assert any(",olga,,login_failed," in line for line in lines)
    assert any(",adam,admin,login," in line for line in lines)
    assert "nothing was changed or removed" in verified.text
