"""Logging in and out.

The login form cannot use a session's CSRF token (there is no session yet), so it uses a
double-submit token: a random value in a short-lived cookie and in the form, compared on
POST. Together with SameSite=Strict cookies and the Origin check this stops a foreign site
from logging an officer into an account of its choosing.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from web.accounts import LoginOutcome
from web.audit import Action
from web.deps import CheckedForm, CsrfError, Current, State, record
from web.security import safe_next, same_origin
from web.settings import WebSettings
from web.state import WebState
from web.templating import render

router = APIRouter()
LOGIN_TOKEN_MINUTES = 60
LOCK_MESSAGES = {
    LoginOutcome.LOCKED: "Too many failed attempts: logging in as this user is locked until {until}. "
    "An admin can lift the lock.",
    LoginOutcome.ADDRESS_LOCKED: "Too many failed logins from your computer's address: logging in from it "
    "is blocked until {until}.",
}


def _set_cookie(response: Response, settings: WebSettings, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )


def _drop_cookie(response: Response, settings: WebSettings, name: str) -> None:
    # The attributes must match the ones the cookie was set with, or the browser keeps it.
    response.delete_cookie(name, path="/", secure=settings.secure_cookies, httponly=True, samesite="strict")


def _login_page(
    request: Request, state: WebState, message: str = "", status: int = 200, name: str = ""
) -> Response:
    token = request.cookies.get(state.settings.login_cookie) or ""
    if len(token) != 43:  # token_urlsafe(32); anything else is not ours
        token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        {
            "login_token": token,
            "message": message,
            "name": name,
            "next": safe_next(request.query_params.get("next")),
        },
        status,
    )
    _set_cookie(response, state.settings, state.settings.login_cookie, token, LOGIN_TOKEN_MINUTES * 60)
    return response


@router.get("/login")
def login_form(request: Request, state: State) -> Response:
    return _login_page(request, state)


@router.post("/login")
async def login(request: Request, state: State) -> Response:
    if not same_origin(request.headers.get("origin"), request.headers.get("host")):
        raise CsrfError
    form = await request.form()
    sent, cookie = form.get("login_token"), request.cookies.get(state.settings.login_cookie)
    if not isinstance(sent, str) or not cookie or not hmac.compare_digest(sent.encode(), cookie.encode()):
        raise CsrfError
    name = str(form.get("name") or "")[:100]
    client = request.client.host if request.client else ""
    # Hashing the password takes tens of milliseconds and the stores are files: off the event loop.
    return await run_in_threadpool(
        _finish_login,
        request,
        state,
        name,
        str(form.get("password") or ""),
        str(form.get("next") or ""),
        client,
    )


def _finish_login(
    request: Request, state: WebState, name: str, password: str, target: str, client: str
) -> Response:
    result = state.accounts.authenticate(name, password, client)
    if result.outcome != LoginOutcome.OK or result.user is None:
        state.audit.record(
            user=name.strip().lower(),
            role="",
            action=Action.LOGIN_FAILED,
            detail=result.outcome.value,
            client=client,
        )
        if result.outcome in LOCK_MESSAGES and result.locked_until is not None:
            until = datetime.fromtimestamp(result.locked_until, UTC).astimezone(
                ZoneInfo(state.settings.timezone)
            )
            return _login_page(
                request, state, LOCK_MESSAGES[result.outcome].format(until=f"{until:%H:%M}"), 429, name
            )
        return _login_page(request, state, "Wrong user name or password.", 401, name)
    token, _ = state.sessions.start(result.user.name)
    state.audit.record(user=result.user.name, role=result.user.role.value, action=Action.LOGIN, client=client)
    response = RedirectResponse(safe_next(target), status_code=303)
    _set_cookie(
        response,
        state.settings,
        state.settings.session_cookie,
        token,
        int(state.settings.session_max_hours * 3600),
    )
    _drop_cookie(response, state.settings, state.settings.login_cookie)
    return response


@router.post("/logout")
def logout(request: Request, state: State, who: Current, form: CheckedForm) -> Response:
    state.sessions.end(request.cookies.get(state.settings.session_cookie))
    record(state, who, Action.LOGOUT)
    response = RedirectResponse("/login", status_code=303)
    _drop_cookie(response, state.settings, state.settings.session_cookie)
    return response


@router.get("/")
def home(who: Current) -> Response:
    return RedirectResponse("/search", status_code=303)
