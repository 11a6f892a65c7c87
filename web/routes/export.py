"""``/export.csv`` and ``/export.json``: the search in the query string, every result."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from radar.errors import RadarError
from web.audit import Action
from web.deps import Exporter, State, record
from web.export import ExportTooLargeError, collect, to_csv, to_json
from web.roles import Permission
from web.search_params import SearchForm
from web.templating import render

router = APIRouter()
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


@router.get("/export.{kind}")
def export(kind: str, request: Request, state: State, who: Exporter) -> Response:
    if kind not in MEDIA:
        return render(
            request, "error.html", {"title": "Unknown format", "message": "Export as csv or json."}, 404
        )
    form = SearchForm.parse(request.query_params)
    query = form.query_string(page=False)
    try:
        hits = collect(state.client, state.settings.alias, form, state.settings.export_limit)
    except ExportTooLargeError as error:
        record(state, who, Action.EXPORT_REFUSED, query, error.total, f"{kind}, limit {error.limit}")
        context = {"title": "Export too large", "message": error.message, "back": form.url(page=False)}
        return render(request, "error.html", context, 413)
    except RadarError as error:
        record(state, who, Action.EXPORT_REFUSED, query, None, f"{kind}: {error.message}")
        return render(request, "error.html", {"title": "Export refused", "message": error.message}, 400)
    if kind == "csv":
        body = to_csv(hits)
    else:
        body = to_json(hits, search_query=query, user=who.name, with_rules=who.can(Permission.RULES))
    record(state, who, Action.EXPORT, query, len(hits), kind)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Response(
        body,
        media_type=MEDIA[kind],
        headers={"content-disposition": f'attachment; filename="smokkelradar-{stamp}.{kind}"'},
    )
