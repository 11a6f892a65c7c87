"""The trends dashboard, for the whole index or for the search in the URL."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from radar.errors import Code, RadarError
from web.audit import Action
from web.deps import Officer, State, record
from web.search_params import SearchForm
from web.templating import render
from web.trends import trends, window

router = APIRouter()
WEEK_CHOICES = (8, 12, 26, 52)


@router.get("/trends")
def trends_page(request: Request, state: State, who: Officer) -> Response:
    form = SearchForm.parse(request.query_params)
    weeks_text = request.query_params.get("weeks", "12")
    weeks = int(weeks_text) if weeks_text.isdigit() and 1 <= int(weeks_text) <= 260 else 12
    context: dict[str, Any] = {
        "form": form,
        "weeks": weeks,
        "choices": WEEK_CHOICES,
        "trends": None,
        "error": "",
    }
    try:
        search_request = form.request(limit=1, facets=False, paged=False)
        start, end = window(form.since, form.until, weeks)
        if start > end:
            raise RadarError(Code.SEARCH_BAD_REQUEST, "the start date is after the end date")
        result = trends(state.client, state.settings.alias, search_request, start, end)
    except RadarError as error:
        record(state, who, Action.TRENDS, form.query_string(), None, f"refused: {error.message}")
        context["error"] = error.message
        return render(request, "trends.html", context, 400)
    record(state, who, Action.TRENDS, form.query_string() + f"&weeks={weeks}", result.total)
    context["trends"] = result
    context["search_url"] = (
        form.with_scalar("since", start.isoformat()).with_scalar("until", end.isoformat()).url()
    )
    return render(request, "trends.html", context)
