"""The network around one phone number, handle or near-duplicate cluster: every advert that
shares it, the sources with first and last seen, the routes and prices offered over time,
and the other contacts in those adverts (where the next pivot starts)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from indexer.pivot import PivotResult, pivot
from indexer.query import SearchRequest
from indexer.search import search
from radar.errors import RadarError
from web.audit import Action
from web.charts import price_points
from web.deps import Officer, State, record
from web.results import HitView, hit_view
from web.templating import render

router = APIRouter()
TIMELINE_LIMIT = 500
KINDS = ("phone", "handle", "cluster")


def _asked(request: Request) -> dict[str, str]:
    return {
        kind: request.query_params.get(kind, "").strip()[:200]
        for kind in KINDS
        if request.query_params.get(kind)
    }


def run_pivot(state: State, asked: dict[str, str]) -> tuple[PivotResult, list[HitView]]:
    result = pivot(state.client, state.settings.alias, **asked)  # type: ignore[arg-type]
    # The pivot's advert list leaves out routes and prices; the same filter through search has them.
    timeline = search(
        state.client,
        state.settings.alias,
        SearchRequest(sort="date", limit=TIMELINE_LIMIT, facets=False, **asked),  # type: ignore[arg-type]
    )
    return result, [hit_view(hit) for hit in reversed(timeline.hits)]  # oldest first


@router.get("/pivot")
def pivot_page(request: Request, state: State, who: Officer) -> Response:
    asked = _asked(request)
    context: dict[str, Any] = {
        "asked": asked,
        "result": None,
        "timeline": [],
        "prices_chart": None,
        "error": "",
    }
    if not asked:
        return render(request, "pivot.html", context)
    query = urlencode(asked)
    try:
        result, timeline = run_pivot(state, asked)
    except RadarError as error:
        record(state, who, Action.PIVOT, query, None, f"refused: {error.message}")
        context["error"] = error.message
        return render(request, "pivot.html", context, 400)
    record(state, who, Action.PIVOT, query, result.total)
    context.update(result=result, timeline=timeline, prices_chart=price_points(timeline))
    return render(request, "pivot.html", context)


@router.get("/api/pivot")
def pivot_api(request: Request, state: State, who: Officer) -> Response:
    asked = _asked(request)
    query = urlencode(asked)
    try:
        result = pivot(state.client, state.settings.alias, **asked)  # type: ignore[arg-type]
    except RadarError as error:
        record(state, who, Action.PIVOT, query, None, f"api, refused: {error.message}")
        return JSONResponse({"error": error.message, "code": error.code.value}, status_code=400)
    record(state, who, Action.PIVOT, query, result.total, "api")
    return JSONResponse(result.as_dict())
