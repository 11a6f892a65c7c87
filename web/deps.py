"""Request dependencies as ``Annotated`` aliases: the app state, the logged-in user per role,
and the CSRF-checked form of a POST.

Every route of the app (pages and API) depends on one of the role aliases, which all go
through :func:`current_principal`; a request without a live session never reaches a handler.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from elasticsearch import Elasticsearch
from fastapi import Depends, Request
from starlette.datastructures import FormData

from web.accounts import User
from web.audit import Action
from web.roles import Permission
from web.security import same_origin
from web.sessions import Session
from web.state import WebState


class LoginRequiredError(Exception):
    """No live session: pages redirect to the login form, the API answers 401."""


class ForbiddenError(Exception):
    """Logged in, but the role does not allow this."""

    def __init__(self, permission: Permission) -> None:
        super().__init__(permission.value)
        self.permission = permission


class CsrfError(Exception):
    """A POST without the session's CSRF token, or from another site."""


@dataclass(frozen=True)
class Principal:
    user: User
    session: Session
    client: str  # the remote address, for the audit log

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def csrf(self) -> str:
        return self.session.csrf

    def can(self, permission: Permission | str) -> bool:
        return self.user.role.can(Permission(permission))


# Dependencies that only read memory are ``async``: FastAPI then runs them on the event loop
# instead of handing each to the thread pool. Those that touch a store stay plain functions.


async def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


State = Annotated[WebState, Depends(web_state)]


async def es_client(state: State) -> Elasticsearch:
    return state.client


Es = Annotated[Elasticsearch, Depends(es_client)]


def current_principal(request: Request, state: State) -> Principal:
    token = request.cookies.get(state.settings.session_cookie)
    session = state.sessions.find(token)
    if session is None:
        raise LoginRequiredError
    user = state.accounts.get(session.user)
    if user is None or user.disabled:
        state.sessions.end(token)
        raise LoginRequiredError
    principal = Principal(user, session, request.client.host if request.client else "")
    request.state.principal = principal  # for the templates: the menu, the CSRF field
    return principal


Current = Annotated[Principal, Depends(current_principal)]


def _requiring(permission: Permission) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    async def check(who: Current) -> Principal:
        if not who.can(permission):
            raise ForbiddenError(permission)
        return who

    check.__name__ = f"require_{permission.value}"
    return check


# One alias per permission; FastAPI runs the session check once per request whatever the mix.
Officer = Annotated[Principal, Depends(_requiring(Permission.SEARCH))]
Pinner = Annotated[Principal, Depends(_requiring(Permission.PIN))]
Exporter = Annotated[Principal, Depends(_requiring(Permission.EXPORT))]
Analyst = Annotated[Principal, Depends(_requiring(Permission.CONFIG))]
Admin = Annotated[Principal, Depends(_requiring(Permission.USERS))]
Auditor = Annotated[Principal, Depends(_requiring(Permission.AUDIT))]


async def checked_form(request: Request, who: Current) -> FormData:
    """The POSTed form, after checking its CSRF token against the session's (and the Origin)."""
    if not same_origin(request.headers.get("origin"), request.headers.get("host")):
        raise CsrfError
    form = await request.form()
    token = form.get("csrf_token")
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), who.csrf.encode()):
        raise CsrfError
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def record(
    state: WebState,
    who: Principal,
    action: Action,
    query: str = "",
    results: int | None = None,
    detail: str = "",
) -> None:
    """One audit entry for what ``who`` just did."""
    state.audit.record(
        user=who.name,
        role=who.user.role.value,
        action=action,
        query=query,
        results=results,
        detail=detail,
        client=who.client,
    )
