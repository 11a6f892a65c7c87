"""The search page and the search API: the same search, as HTML or as JSON.

Both handlers are ``async``: they wait for their turn at the worker's search gate on the event
loop (first come, first served; see ``web.search_gate``), then run the search and its audit
entry, which block, in the thread pool: both in one trip there (a trip costs the event loop and
the thread a wake-up each), the gate's slot given back from the thread as soon as the search is
done, so Elasticsearch never waits for the audit log's disk.
"""

from __future__ import annotations

import asyncio
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
from web.state import WebState
from web.templating import render

router = APIRouter()


def run_search(state: State, form: SearchForm, *, facets: bool = True) -> SearchResult:
    request = form.request(limit=state.settings.page_size, facets=facets)
    return search(state.client, state.settings.alias, request)


class _Slot:
    """A slot of the search gate, given back once: from the thread when its search is done, or
    by the handler if it never got that far (cancelled before the thread started, or failed)."""

    def __init__(self, state: WebState) -> None:
        self.gate = state.search_gate
        self.loop = asyncio.get_running_loop()
        self.held = True

    def give_back(self) -> None:  # on the event loop
        if self.held:
            self.held = False
            self.gate.release()

    def give_back_from_thread(self) -> None:
        self.loop.call_soon_threadsafe(self.give_back)


def _search_then_audit(
    state: WebState, who: Principal, form: SearchForm, slot: _Slot, facets: bool, detail: str
) -> SearchResult | RadarError:
    """In the thread pool: the search, then its audit entry (also for a refused search)."""
    try:
        result: SearchResult | RadarError = run_search(state, form, facets=facets)
    except RadarError as error:
        result = error
    finally:
        slot.give_back_from_thread()  # before the audit entry waits for the disk
    if isinstance(result, RadarError):
        prefix = f"{detail}, " if detail else ""
        record(state, who, Action.SEARCH, form.query_string(), None, f"{prefix}refused: {result.message}")
    else:
        record(state, who, Action.SEARCH, form.query_string(), result.total, detail)
    return result


async def audited_search(
    state: WebState, who: Principal, form: SearchForm, *, facets: bool = True, detail: str = ""
) -> SearchResult | RadarError:
    """The search once the search gate lets this request through, and its audit entry: the result,
    or the error that refused the search. Elasticsearch's own failures raise (no entry, as before)."""
    await state.search_gate.acquire()
    slot = _Slot(state)
    try:
        return await run_in_threadpool(_search_then_audit, state, who, form, slot, facets, detail)
    finally:
        slot.give_back()  # no-op when the thread gave it back already


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
    result = await audited_search(state, who, form)
    if isinstance(result, RadarError):
        context["error"] = result.message
        return render(request, "search.html", context, 400)
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
    facets = request.query_params.get("facets", "1") != "0"
    result = await audited_search(state, who, form, facets=facets, detail="api")
    if isinstance(result, RadarError):
        return JsonResponse({"error": result.message, "code": result.code.value}, status_code=400)
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
