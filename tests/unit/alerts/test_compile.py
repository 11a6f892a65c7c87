"""A saved search compiles to the indexer's own query (one vocabulary with `smokkelradar search`),
and the saved-search index maps its filters like the advert fields they filter."""

from __future__ import annotations

from typing import Any

from alerts.compile import FILTER_FIELDS, compile_search, search_request
from alerts.saved_index import saved_search_mappings, search_document
from indexer.fields import advert_field_defs
from indexer.query import SearchRequest, search_query
from radar.config.alerts import SavedSearch


def _search(**values: Any) -> SavedSearch:
    return SavedSearch.model_validate({"name": "s", "cadence": "immediate", **values})


def test_filters_become_the_indexers_search_request() -> None:
    search = _search(
        query="boot OR boat",
        filters={"from": "ly", "to": ["IT", "MT"], "via": "TN", "lang": ["ar", "en"], "document": "passport",
                 "transport": "boat", "source": "demo-forum", "price_min": 500, "price_max": 4000,
                 "currency": "usd"},
    )  # fmt: skip
    expected = SearchRequest(
        query="boot OR boat", lang=("ar", "en"), origin=("LY",), destination=("IT", "MT"), via=("TN",),
        price_min=500, price_max=4000, currency=("USD",), document=("passport",), transport=("boat",),
        source=("demo-forum",), facets=False,
    )  # fmt: skip
    assert search_request(search) == expected
    assert compile_search(search) == search_query(expected)


def test_several_phones_or_handles_mean_any_of_them() -> None:
    query = compile_search(
        _search(filters={"phone": ["+218912345678", "+905321234567"], "handle": ["@Boza", "t.me/x"]})
    )
    phones, handles = query["bool"]["filter"]
    assert phones == {
        "bool": {
            "should": [
                {"term": {"phones.e164": "+218912345678"}},
                {"term": {"phones.e164": "+905321234567"}},
            ],
            "minimum_should_match": 1,
        }
    }
    assert handles == {"terms": {"handles.value": ["boza", "x"]}}


def test_saved_search_filters_are_mapped_like_the_advert_fields() -> None:
    adverts = {field.path: field.mapping for field in advert_field_defs()}
    mapping = saved_search_mappings()["properties"]
    for key, path in FILTER_FIELDS.items():
        assert mapping["filters"]["properties"][key] == adverts[path]
    assert mapping["compiled"] == {"type": "object", "enabled": False}


def test_search_document_keeps_the_compiled_query_and_settings() -> None:
    search = _search(filters={"transport": "boat"}, cadence="daily at 07:30", min_score=0.6)
    document = search_document(search, ["mdt@mdt.example"])
    assert document["compiled"] == compile_search(search)
    assert (document["cadence"], document["min_score"], document["filters"]) == (
        "daily at 07:30",
        0.6,
        {"transport": ["boat"]},
    )
    assert document["fingerprint"] == search_document(search, ["mdt@mdt.example"])["fingerprint"]
    assert document["fingerprint"] != search_document(search, ["other@mdt.example"])["fingerprint"]
