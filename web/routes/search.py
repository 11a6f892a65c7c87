"""The search page and the search API: the same search, as HTML or as JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from indexer.search import SearchResult, search
from radar.errors import RadarError
from web.audit import Action
from web.deps import Officer, State, record
from web.results import facet_groups, hit_view
from web.search_params import SearchForm
from web.templating import render

router = APIRouter()


def run_search(state: State, form: SearchForm, *, facets: bool = True) -> SearchResult:
    request = form.request(limit=state.settings.page_size, facets=facets)
    return search(state.client, state.settings.alias, request)


@router.get("/search")
def search_page(request: Request, state: State, who: Officer) -> Response:
    form = SearchForm.parse(request.query_params)
    context: dict[str, Any] = {
        "form": form,
        "result": None,
        "hits": [],
        "facets": [],
        "error": "",
        "next_url": "",
    }
    try:
        result = run_search(state, form)
    except RadarError as error:
        record(state, who, Action.SEARCH, form.query_string(), None, f"refused: {error.message}")
        context["error"] = error.message
        return render(request, "search.html", context, 400)
    record(state, who, Action.SEARCH, form.query_string(), result.total)
    context.update(
        result=result,
        hits=[hit_view(hit) for hit in result.hits],
        facets=facet_groups(result.facets, form),
        next_url=form.next_page(result.next_cursor).url() if result.next_cursor else "",
        first_url=form.with_scalar("after", None).url(),
        offset=(form.page - 1) * state.settings.page_size,
    )
    return render(request, "search.html", context)


@router.get("/api/search")
def search_api(request: Request, state: State, who: Officer) -> Response:
    form = SearchForm.parse(request.query_params)
    try:
        result = run_search(state, form, facets=request.query_params.get("facets", "1") != "0")
    except RadarError as error:
        record(state, who, Action.SEARCH, form.query_string(), None, f"api, refused: {error.message}")
        return JSONResponse({"error": error.message, "code": error.code.value}, status_code=400)
    record(state, who, Action.SEARCH, form.query_string(), result.total, "api")
    body = result.as_dict()
    body["search"] = form.query_string(page=False)
    body["next"] = form.next_page(result.next_cursor).url("/api/search") if result.next_cursor else None
    return JSONResponse(body)
