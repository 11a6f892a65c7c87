"""Building the Elasticsearch request from a SearchRequest (no Elasticsearch needed)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from indexer.query import (
    SearchRequest,
    decode_cursor,
    encode_cursor,
    filters,
    hits_body,
    next_cursor,
    normalize_handle,
    normalize_phone,
    summary_body,
)
from radar.errors import Code, RadarError


def clause(request: SearchRequest, kind: str) -> list[dict[str, Any]]:
    return [c[kind] for c in filters(request) if kind in c]


def test_every_filter_becomes_a_clause_with_normalised_values() -> None:
    request = SearchRequest(
        lang=("AR",),
        origin=("ly",),
        destination=("it", "mt"),
        via=("tn",),
        country=("gr",),
        currency=("eur",),
        document=("Passport",),
        transport=("boat",),
        source=("demo-forum",),
        handle="@Boza_Express",
        cluster="c1",
        case="MDT-1",
    )

    terms = {k: v for c in clause(request, "terms") for k, v in c.items()}
    term = {k: v for c in clause(request, "term") for k, v in c.items()}

    assert terms == {
        "languages": ["ar"],
        "route.origin": ["LY"],
        "route.destination": ["IT", "MT"],
        "route.transit": ["TN"],
        "countries": ["GR"],
        "currencies": ["EUR"],
        "documents": ["passport"],
        "transport": ["boat"],
        "source": ["demo-forum"],
    }
    assert term == {"handles.value": "boza_express", "cluster.id": "c1", "cases": "MDT-1"}


def test_price_range_matches_one_price_within_both_bounds() -> None:
    (price,) = clause(SearchRequest(price_min=1000, price_max=3000), "range")
    assert price == {"prices.eur": {"gte": 1000, "lte": 3000}}
    (only_max,) = clause(SearchRequest(price_max=500), "range")
    assert only_max == {"prices.eur": {"lte": 500}}


def test_dates_are_whole_days_and_until_is_inclusive() -> None:
    (window,) = clause(SearchRequest(since=date(2026, 10, 1), until=date(2026, 10, 31)), "range")
    assert window == {"date": {"gte": "2026-10-01T00:00:00+00:00", "lt": "2026-11-01T00:00:00+00:00"}}


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("+90 532 418 07 26", "+905324180726"),
        ("0090-532-418-0726", "+905324180726"),
        ("+٢١٨ ٩١ ٢٣٤ ٥٦٧٨", "+218912345678"),
        ("۰۹۱۲۳۳۸۷۴۱۵", "09123387415"),
    ],
)
def test_phone_numbers_in_any_notation(typed: str, normalised: str) -> None:
    assert normalize_phone(typed) == normalised


def test_a_national_number_matches_the_end_of_e164_numbers() -> None:
    (wildcard,) = clause(SearchRequest(phone="0912 338 7415"), "wildcard")
    assert wildcard == {"phones.e164": {"value": "*9123387415"}}
    (exact,) = clause(SearchRequest(phone="+98 912 338 7415"), "term")
    assert exact == {"phones.e164": "+989123387415"}


@pytest.mark.parametrize("typed", ["@Boza_Express", "https://t.me/boza_express", "t.me/Boza_Express/"])
def test_handles_in_any_notation(typed: str) -> None:
    assert normalize_handle(typed) == "boza_express"


def test_free_text_runs_over_neutral_and_every_language_field() -> None:
    body = hits_body(SearchRequest(query="جواز سفر"))
    query = body["query"]["bool"]["must"][0]["simple_query_string"]

    assert query["query"] == "جواز سفر"
    assert {"text", "title^2", "text_ar", "text_fa", "text_tr", "text_fr", "text_ckb"} <= set(query["fields"])
    assert query["default_operator"] == "and"
    assert body["sort"][0] == "_score"  # with a query, best first


def test_without_a_query_everything_matches_newest_first() -> None:
    body = hits_body(SearchRequest())
    assert body["query"]["bool"]["must"] == [{"match_all": {}}]
    assert body["sort"] == [{"date": {"order": "desc", "missing": "_last"}}, {"advert_id": "asc"}]


def test_highlights_ask_for_whole_fields_with_private_tags() -> None:
    highlight = hits_body(SearchRequest(query="boat"))["highlight"]
    assert highlight["type"] == "plain"  # the same marks as "unified" on whole fields, at less cost
    assert highlight["pre_tags"] == ["\ue000"]
    assert all(options == {"number_of_fragments": 0} for options in highlight["fields"].values())


def test_paging_uses_search_after_and_collapse_uses_offsets() -> None:
    request = SearchRequest(limit=2)
    cursor = next_cursor(request, ["2026-10-01", "x"], returned=2, offset=0)
    assert cursor is not None
    assert hits_body(SearchRequest(limit=2, search_after=cursor))["search_after"] == ["2026-10-01", "x"]
    assert next_cursor(request, ["2026-10-01", "x"], returned=1, offset=0) is None  # a short page is the last

    collapsed = SearchRequest(limit=2, collapse=True)
    cursor = next_cursor(collapsed, ["2026-10-01", "x"], returned=2, offset=4)
    assert cursor is not None
    request = SearchRequest(limit=2, collapse=True, search_after=cursor)
    body = hits_body(request)
    assert body["from"] == 6
    assert body["collapse"] == {"field": "cluster.id"}
    assert "clusters" in summary_body(request)["aggs"]
    assert "clusters" in summary_body(SearchRequest(collapse=True, facets=False))["aggs"]


def test_facets_cover_what_officers_filter_on() -> None:
    aggs = summary_body(SearchRequest())["aggs"]
    assert set(aggs) >= {"languages", "origin", "transit", "destination", "documents", "transport", "sources"}
    assert aggs["price_eur"]["histogram"]["field"] == "price_eur.min"
    assert aggs["dates"]["date_histogram"]["field"] == "date"
    assert "aggs" not in summary_body(SearchRequest(facets=False))


def test_the_summary_counts_and_is_the_same_for_every_page_and_the_hits_do_not_count() -> None:
    first = SearchRequest(query="boat", origin=("LY",), limit=2)
    cursor = next_cursor(first, [1.5, "2026-10-01", "x"], returned=2, offset=0)
    second = SearchRequest(query="boat", origin=("LY",), limit=2, search_after=cursor)

    assert summary_body(first) == summary_body(second)  # one cache entry serves every page
    assert summary_body(first)["size"] == 0
    assert summary_body(first)["track_total_hits"] is True
    assert hits_body(first)["track_total_hits"] is False
    assert "aggs" not in hits_body(first)
    assert hits_body(first)["query"] == summary_body(first)["query"]


@pytest.mark.parametrize(
    "arguments",
    [
        {"limit": 0},
        {"limit": 5000},
        {"price_min": 10, "price_max": 5},
        {"since": date(2026, 10, 2), "until": date(2026, 10, 1)},
    ],
)
def test_impossible_requests_are_refused(arguments: dict[str, Any]) -> None:
    with pytest.raises(RadarError) as raised:
        SearchRequest(**arguments)
    assert raised.value.code == Code.SEARCH_BAD_REQUEST


def test_a_damaged_cursor_is_refused() -> None:
    with pytest.raises(RadarError, match="not a cursor"):
        decode_cursor("not-a-cursor")
    with pytest.raises(RadarError, match="not a cursor"):
        decode_cursor(encode_cursor({"other": 1}))
    with pytest.raises(RadarError, match="at least 6 digits"):
        normalize_phone("12")
