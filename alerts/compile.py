"""A saved search as the Elasticsearch query ``smokkelradar search`` would run for it.

There is one query builder, the indexer's (``indexer.query``); a saved search is turned into
its :class:`SearchRequest` and built by it, so a saved search means exactly what the same
words and filters mean on the command line and in the web UI. Only one thing is added here:
``smokkelradar search`` takes one ``--phone`` and one ``--handle``, a saved search may list
several ("any of these"), so those become a ``should`` of the indexer's own clauses.
"""

from __future__ import annotations

from typing import Any

from indexer.query import SearchRequest, normalize_handle, phone_query, search_query
from radar.config.alerts import SavedSearch

# Saved-search filter -> the advert field it filters (for the saved-search index's mapping).
FILTER_FIELDS: dict[str, str] = {
    "lang": "languages",
    "country": "countries",
    "from": "route.origin",
    "to": "route.destination",
    "via": "route.transit",
    "price_min": "prices.eur",
    "price_max": "prices.eur",
    "currency": "currencies",
    "document": "documents",
    "transport": "transport",
    "source": "source",
    "phone": "phones.e164",
    "handle": "handles.value",
}


def search_request(search: SavedSearch, *, limit: int = 20) -> SearchRequest:
    """The :class:`SearchRequest` of ``search`` (phones and handles are added by :func:`compile_search`).

    The minimum relevance is left out: the matcher applies it as a filter of its own.
    """
    filters = search.filters
    return SearchRequest(
        query=search.query,
        lang=filters.lang,
        country=filters.country,
        origin=filters.from_,
        destination=filters.to,
        via=filters.via,
        price_min=filters.price_min,
        price_max=filters.price_max,
        currency=(filters.currency,) if filters.currency else (),
        document=filters.document,
        transport=filters.transport,
        source=filters.source,
        limit=limit,
        facets=False,
    )


def compile_search(search: SavedSearch) -> dict[str, Any]:
    """The query of ``search``: the indexer's query for its request, plus any-of phones and handles."""
    query = search_query(search_request(search))
    extra: list[dict[str, Any]] = []
    if search.filters.phone:
        extra.append(_any_of([phone_query(phone) for phone in search.filters.phone]))
    if search.filters.handle:
        handles = sorted({normalize_handle(handle) for handle in search.filters.handle})
        extra.append({"terms": {"handles.value": handles}})
    if extra:
        query["bool"]["filter"] = [*query["bool"]["filter"], *extra]
    return query


def _any_of(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    if len(clauses) == 1:
        return clauses[0]
    return {"bool": {"should": clauses, "minimum_should_match": 1}}
