"""Account management for admins: add a user, change a role, lift a lock-out, disable or enable.

The page also lists locked client addresses; lifting one is ``web.routes.admin_addresses``.

Changing someone's role, disabling them or setting a new password ends their sessions, so
the change holds from their next request on. An admin cannot disable or demote themselves
(someone must stay able to manage accounts).
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from radar.errors import RadarError
from web.audit import Action
from web.deps import Admin, CheckedForm, State, record
from web.roles import Role
from web.templating import render

router = APIRouter()


def _page(request: Request, state: State, message: str = "", error: str = "", status: int = 200) -> Response:
    context = {
        "users": state.accounts.list(),
        "locked_addresses": state.accounts.locked_addresses(),
        "roles": [role.value for role in Role],
        "now": time.time(),
        "message": message,
        "error": error,
    }
    return render(request, "users.html", context, status)


@router.get("/admin/users")
def users_page(request: Request, state: State, who: Admin) -> Response:
    query = request.query_params
    return _page(request, state, message=query.get("done", "")[:200], error=query.get("failed", "")[:200])


def _done(message: str) -> Response:
    from urllib.parse import urlencode

    return RedirectResponse("/admin/users?" + urlencode({"done": message}), status_code=303)


@router.post("/admin/users")
def add_user(request: Request, state: State, who: Admin, form: CheckedForm) -> Response:
    name, role = str(form.get("name") or ""), str(form.get("role") or "")
    password = str(form.get("password") or "")
    try:
        user = state.accounts.add(name, role, password)
    except RadarError as error:
        return _page(request, state, error=str(error), status=400)
    record(state, who, Action.USER_ADD, user.name, detail=f"role={user.role.value}")
    return _done(f"Added {user.name} ({user.role.value}).")


@router.post("/admin/users/{name}")
def change_user(name: str, request: Request, state: State, who: Admin, form: CheckedForm) -> Response:
    change = str(form.get("change") or "")
    try:
        if name == who.name and change in ("disable", "role"):
            raise ValueError("you cannot disable or change the role of your own account")
        if change == "role":
            user = state.accounts.set_role(name, str(form.get("role") or ""))
            state.sessions.end_all(user.name)
            done = f"{user.name} is now {user.role.value}."
        elif change == "unlock":
            state.accounts.unlock(name)
            done = f"{name} is unlocked."
        elif change in ("disable", "enable"):
            user = state.accounts.set_disabled(name, change == "disable")
            state.sessions.end_all(user.name)
            done = f"{user.name} is {change}d."
        elif change == "password":
            state.accounts.set_password(name, str(form.get("password") or ""))
            state.sessions.end_all(name)
            done = f"{name} has a new password."
        else:
            raise ValueError(f"unknown change {change!r}")
    except (RadarError, ValueError) as error:
        return _page(request, state, error=str(error), status=400)
    record(
        state,
        who,
        Action.USER_CHANGE,
        name,
        detail=change if change != "role" else f"role={form.get('role')}",
    )
    return _done(done)
