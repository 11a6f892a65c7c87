"""Saved searches evaluated in Python against an advert document, as the matcher does in Elasticsearch."""

from __future__ import annotations

from typing import Any

import pytest

from alerts.compile import compile_search
from alerts.matcher import restricted
from radar.config.alerts import AlertFile
from workbench.query_eval import UnsupportedQueryError, matches, text_queries, values_at

DOC: dict[str, Any] = {
    "advert_id": "a1",
    "languages": ["ar", "en"],
    "route": {"origin": "LY", "transit": [], "destination": "IT"},
    "countries": ["IT", "LY"],
    "prices": [
        {"amount": 3000.0, "currency": "EUR", "eur": 3000.0},
        {"amount": 500, "currency": "EUR", "eur": 500},
    ],
    "currencies": ["EUR"],
    "documents": ["passport"],
    "transport": ["boat"],
    "phones": [{"e164": "+218912345678"}],
    "handles": [{"platform": "telegram", "value": "docs_master"}],
    "score": 0.8,
    "source": "demo-forum",
}


def _query(yaml_filters: dict[str, Any], *, query: str = "", min_score: float = 0.5) -> dict[str, Any]:
    search = AlertFile.model_validate(
        {
            "searches": [
                {
                    "name": "s",
                    "query": query,
                    "filters": yaml_filters,
                    "min_score": min_score,
                    "cadence": "immediate",
                }
            ]
        }
    ).searches[0]
    return restricted(compile_search(search), {"match_all": {}}, search.min_score)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"transport": "boat"}, True),
        ({"transport": ["truck", "boat"]}, True),
        ({"transport": "truck"}, False),
        ({"from": "LY", "to": "IT"}, True),
        ({"from": "TN"}, False),
        ({"via": "TN"}, False),
        ({"lang": "ar"}, True),
        ({"price_min": 2000, "price_max": 4000}, True),
        ({"price_min": 4000}, False),
        ({"document": "passport", "source": "demo-forum"}, True),
        ({"phone": "+218912345678"}, True),
        ({"phone": ["+218999999999", "+218912345678"]}, True),
        ({"phone": "+218999999999"}, False),
        ({"handle": "@Docs_Master"}, True),
        ({"handle": "someone_else"}, False),
    ],
)
def test_filters(filters: dict[str, Any], expected: bool) -> None:
    assert matches(_query(filters), DOC, "d1", {}) is expected


def test_min_score_applies() -> None:
    assert not matches(_query({"transport": "boat"}, min_score=0.9), DOC, "d1", {})


def test_free_text_comes_from_elasticsearch_hits() -> None:
    query = _query({"transport": "boat"}, query="passport")
    [clause] = text_queries(query)
    assert clause["simple_query_string"]["query"] == "passport"
    assert matches(query, DOC, "d1", {"passport": {"d1"}})
    assert not matches(query, DOC, "d1", {"passport": {"d2"}})


def test_unknown_clauses_are_refused_not_guessed() -> None:
    with pytest.raises(UnsupportedQueryError, match="the clause 'geo_distance'"):
        matches({"geo_distance": {"distance": "1km"}}, DOC, "d1", {})


def test_values_at_walks_lists_of_objects() -> None:
    assert values_at(DOC, "prices.eur") == [3000.0, 500]
    assert values_at(DOC, "route.transit") == []
