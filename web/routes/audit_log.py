"""The audit log for admins: filter by user, action and period; page back; export as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from web.audit import Action, AuditEntry, AuditFilter
from web.deps import Auditor, State, record
from web.export import neutral
from web.templating import render

router = APIRouter()
PAGE = 100


def _filter(request: Request) -> AuditFilter:
    params = request.query_params
    action = params.get("action", "")
    return AuditFilter(
        user=params.get("user", "")[:100],
        action=action if action in {a.value for a in Action} else "",
        since=params.get("since", "")[:32],
        until=params.get("until", "")[:32],
    )


def _params(where: AuditFilter) -> dict[str, str]:
    return {k: v for k, v in vars(where).items() if v}


@router.get("/audit")
def audit_page(request: Request, state: State, who: Auditor) -> Response:
    where = _filter(request)
    before_text = request.query_params.get("before", "")
    before = int(before_text) if before_text.isdigit() else None
    entries = state.audit.entries(where, limit=PAGE, before=before)
    total = state.audit.count(where)
    record(state, who, Action.AUDIT_VIEW, urlencode(_params(where)), total)
    older = ""
    if len(entries) == PAGE:
        older = "/audit?" + urlencode({**_params(where), "before": str(entries[-1].id)})
    context = {
        "entries": entries,
        "total": total,
        "where": where,
        "actions": [a.value for a in Action],
        "older": older,
        "export": "/audit.csv?" + urlencode(_params(where)),
        "broken": state.audit.verify() if request.query_params.get("verify") else None,
        "verified": bool(request.query_params.get("verify")),
    }
    return render(request, "audit.html", context)


@router.get("/audit.csv")
def audit_export(request: Request, state: State, who: Auditor) -> Response:
    where = _filter(request)
    count = state.audit.count(where)
    record(state, who, Action.AUDIT_EXPORT, urlencode(_params(where)), count)

    def rows() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(AuditEntry.COLUMNS)
        for entry in state.audit.iter_all(where):
            writer.writerow([neutral(value) for value in entry.row()])
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        yield out.getvalue()

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="smokkelradar-audit-{stamp}.csv"'},
    )
