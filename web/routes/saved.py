"""Saved searches: the list from the configuration, each one runnable on the search page, and
what it sent (the mails in the alert ledger, with the adverts each mail was about)."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from alerts.ledger import Ledger, Mail, Match
from web.audit import Action
from web.deps import Officer, State, record
from web.search_params import saved_search_form
from web.templating import render

router = APIRouter()
MAILS_SHOWN = 200


def _ledger_mails(state: State, name: str | None = None) -> tuple[list[Mail], dict[int, list[Match]], str]:
    """Mails (newest first) and their adverts; an empty list with a note when there is no ledger yet."""
    path = state.settings.ledger_path
    if not path.exists():
        return [], {}, "No alert has been sent yet (there is no alert ledger)."
    try:
        with Ledger(path) as ledger:
            mails = list(reversed(ledger.mails(search=name)))[:MAILS_SHOWN]
            adverts = {mail.id: ledger.adverts_of(mail.id) for mail in mails} if name else {}
    except sqlite3.Error as error:
        return [], {}, f"The alert ledger {path} cannot be read: {error}"
    return mails, adverts, ""


@router.get("/saved")
def saved_list(request: Request, state: State, who: Officer) -> Response:
    mails, _, note = _ledger_mails(state)
    sent: dict[str, int] = {}
    last: dict[str, str] = {}
    for mail in mails:
        if mail.state == "sent":
            sent[mail.search] = sent.get(mail.search, 0) + 1
            last.setdefault(mail.search, mail.sent_at.isoformat() if mail.sent_at else "")
    searches = [
        {
            "search": search,
            "run": saved_search_form(search).url(),
            "sent": sent.get(name, 0),
            "last": last.get(name, ""),
        }
        for name, search in sorted(state.settings.saved_searches.items())
    ]
    record(state, who, Action.SAVED_SEARCH, "list", len(searches))
    return render(request, "saved_list.html", {"searches": searches, "note": note})


@router.get("/saved/{name}")
def saved_one(name: str, request: Request, state: State, who: Officer) -> Response:
    search = state.settings.saved_searches.get(name)
    if search is None:
        return render(
            request,
            "error.html",
            {"title": "No such saved search", "message": f"{name!r} is not configured."},
            404,
        )
    mails, adverts, note = _ledger_mails(state, name)
    form = saved_search_form(search)
    context: dict[str, Any] = {
        "search": search,
        "run": form.url(),
        "filters": _filters(search),
        "several_contacts": len(search.filters.phone) > 1 or len(search.filters.handle) > 1,
        "mails": mails,
        "adverts": adverts,
        "note": note,
        "recipients": state.settings.config.recipients_for(search)
        if state.settings.config
        else search.recipients,
    }
    record(state, who, Action.SAVED_SEARCH, name, len(mails))
    return render(request, "saved_one.html", context)


def _filters(search: Any) -> list[tuple[str, str]]:
    shown = search.filters.model_dump(by_alias=True, exclude_defaults=True)
    return [(k, ", ".join(map(str, v)) if isinstance(v, list | tuple) else str(v)) for k, v in shown.items()]
