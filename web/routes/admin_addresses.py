"""Lifting an address lock-out from the web: the admin's counterpart of ``users unlock-address``.

The users page lists the client addresses locked out now (``web.lockout``); a locked address
is refused before any password is checked, so the people behind it cannot log in to ask for
help. The address comes from that list, but it is checked again here: a form can be edited.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from web.audit import Action
from web.deps import Admin, CheckedForm, State, record

router = APIRouter()


def _back(**message: str) -> Response:
    return RedirectResponse("/admin/users?" + urlencode(message), status_code=303)


@router.post("/admin/addresses/unlock")
def unlock_address(request: Request, state: State, who: Admin, form: CheckedForm) -> Response:
    given = str(form.get("address") or "").strip()[:100]
    locked = {entry.address for entry in state.accounts.locked_addresses()}
    if given not in locked:
        try:
            given = str(ipaddress.ip_address(given))
        except ValueError:
            return _back(failed=f"{given!r} is not a locked client address.")
    # Clear both forms: a client named by a proxy's X-Forwarded-For is counted as written.
    state.accounts.unlock_address(given)
    record(state, who, Action.ADDRESS_UNLOCK, given, detail="was locked" if given in locked else "not locked")
    return _back(done=f"{given} is unlocked.")
