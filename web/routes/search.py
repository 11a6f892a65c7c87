"""The search page and the search API: the same search, as HTML or as JSON.

Both handlers are ``async``: they wait for their turn at the worker's search gate on the event
loop (first come, first served; see ``web.search_gate``), then run the search and the audit
entry, which block, in the thread pool.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from indexer.search import Facets, SearchResult, search
from radar.errors import RadarError
from web.audit import Action
from web.deps import Officer, Principal, State, record
from web.json_response import JsonResponse
from web.results import facet_groups, hit_view
from web.search_links import Pager, pager
from web.search_params import SearchForm
from web.templating import render

router = APIRouter()


def run_search(state: State, form: SearchForm, *, facets: bool = True) -> SearchResult:
    request = form.request(limit=state.settings.page_size, facets=facets)
    return search(state.client, state.settings.alias, request)


async def gated_search(state: State, form: SearchForm, *, facets: bool = True) -> SearchResult:
    """:func:`run_search` in the thread pool, once the search gate lets this request through."""
    async with state.search_gate:
        return await run_in_threadpool(run_search, state, form, facets=facets)


async def audit(
    state: State, who: Principal, form: SearchForm, results: int | None, detail: str = ""
) -> None:
    """The search's audit entry (it waits for the disk, so in the thread pool)."""
    await run_in_threadpool(record, state, who, Action.SEARCH, form.query_string(), results, detail)


@router.get("/search")
async def search_page(request: Request, state: State, who: Officer) -> Response:
    form = SearchForm.parse(request.query_params)
    context: dict[str, Any] = {
        "form": form,
        "result": None,
        "hits": [],
        "facets": [],
        "error": "",
        "pages": None,
    }
    try:
        result = await gated_search(state, form)
    except RadarError as error:
        await audit(state, who, form, None, f"refused: {error.message}")
        context["error"] = error.message
        return render(request, "search.html", context, 400)
    await audit(state, who, form, result.total)
    context.update(
        result=result,
        hits=[hit_view(hit) for hit in result.hits],
        facets=facet_groups(result.facets, form),
        pages=_pager(state, form, result),
        offset=(form.page - 1) * state.settings.page_size,
    )
    return render(request, "search.html", context)


def _pager(state: State, form: SearchForm, result: SearchResult, path: str = "/search") -> Pager:
    return pager(
        form,
        page_size=state.settings.page_size,
        total=result.total,
        total_is_exact=result.total_is_exact,
        has_next=result.next_cursor is not None,
        path=path,
    )


@router.get("/api/search")
async def search_api(request: Request, state: State, who: Officer) -> Response:
    form = SearchForm.parse(request.query_params)
    try:
        result = await gated_search(state, form, facets=request.query_params.get("facets", "1") != "0")
    except RadarError as error:
        await audit(state, who, form, None, f"api, refused: {error.message}")
        return JsonResponse({"error": error.message, "code": error.code.value}, status_code=400)
    await audit(state, who, form, result.total, "api")
    # The facets go to orjson as they are (it writes dataclasses itself, in the shape as_dict gives
    # them); dataclasses.asdict copying every bucket was a noticeable part of an answer's cost.
    body = replace(result, facets=Facets()).as_dict()
    body["facets"] = result.facets
    pages = _pager(state, form, result, "/api/search")
    body["search"] = form.query_string(page=False)
    body["page"] = form.page
    body["prev"] = pages.prev_url
    body["next"] = pages.next_url
    if pages.next_url is None and result.next_cursor and not form.collapse:
        # Past the numbered pages the API goes on with Elasticsearch's search_after cursor.
        body["next"] = form.next_page(result.next_cursor).url("/api/search")
    return JsonResponse(body)
