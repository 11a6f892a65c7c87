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

from web.accounts import LoginOutcome
from web.audit import Action
from web.deps import CheckedForm, CsrfError, Current, State, record
from web.security import safe_next, same_origin
from web.templating import render

router = APIRouter()
LOGIN_TOKEN_MINUTES = 60


def _login_page(
    request: Request, state: State, message: str = "", status: int = 200, name: str = ""
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
    response.set_cookie(
        state.settings.login_cookie,
        token,
        max_age=LOGIN_TOKEN_MINUTES * 60,
        path="/",
        secure=state.settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )
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
    password = str(form.get("password") or "")
    result = state.accounts.authenticate(name, password)
    client = request.client.host if request.client else ""
    if result.outcome != LoginOutcome.OK or result.user is None:
        state.audit.record(
            user=name.strip().lower(),
            role="",
            action=Action.LOGIN_FAILED,
            detail=result.outcome.value,
            client=client,
        )
        if result.outcome == LoginOutcome.LOCKED and result.locked_until is not None:
            until = datetime.fromtimestamp(result.locked_until, UTC).astimezone(
                ZoneInfo(state.settings.timezone)
            )
            message = (
                f"Too many failed attempts: logging in as this user is locked until {until:%H:%M}. "
                "An admin can lift the lock."
            )
            return _login_page(request, state, message, 429, name)
        return _login_page(request, state, "Wrong user name or password.", 401, name)
    token, _ = state.sessions.start(result.user.name)
    state.audit.record(user=result.user.name, role=result.user.role.value, action=Action.LOGIN, client=client)
    response = RedirectResponse(safe_next(str(form.get("next") or "")), status_code=303)
    response.set_cookie(
        state.settings.session_cookie,
        token,
        max_age=int(state.settings.session_max_hours * 3600),
        path="/",
        secure=state.settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    response.delete_cookie(
        state.settings.login_cookie,
        path="/",
        secure=state.settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return response


@router.post("/logout")
def logout(request: Request, state: State, who: Current, form: CheckedForm) -> Response:
    state.sessions.end(request.cookies.get(state.settings.session_cookie))
    record(state, who, Action.LOGOUT)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        state.settings.session_cookie,
        path="/",
        secure=state.settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return response


@router.get("/")
def home(who: Current) -> Response:
    return RedirectResponse("/search", status_code=303)
