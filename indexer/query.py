"""What an officer asks for (:class:`SearchRequest`) and the Elasticsearch request it becomes.

Pure functions, no I/O: ``indexer.search`` sends what :func:`hits_body` (the page of hits) and
:func:`summary_body` (total and facets of all matches) build, two searches in one request. The
free text runs as ``simple_query_string`` over the language-neutral fields and every
per-language field, so an Arabic query meets the Arabic analyzer (letter variants folded) and
a Turkish query the Turkish stemmer (inflected forms), whatever language the officer types in.
Filters never affect the ranking.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

# Re-exported: the alerts' saved searches import them from here.
from indexer.contact_terms import normalize_handle as normalize_handle
from indexer.contact_terms import normalize_phone as normalize_phone
from indexer.contact_terms import phone_query as phone_query
from indexer.fields import LANGUAGE_ANALYZERS, TEXT_FAMILIES, language_field, text_search_fields
from indexer.highlight import POST, PRE
from radar.errors import Code, RadarError

SortOrder = Literal["date", "score"]
DateInterval = Literal["day", "week", "month", "year"]
MAX_LIMIT = 1000
FACET_SIZE = 50
# Fields returned with each hit: all but the per-language copies of the text.
HIT_SOURCE_EXCLUDES = [
    language_field(family, code) for family in TEXT_FAMILIES for code in LANGUAGE_ANALYZERS
]


def _bad(message: str) -> RadarError:
    return RadarError(Code.SEARCH_BAD_REQUEST, message)


@dataclass(frozen=True)
class SearchRequest:
    """One search. Tuples are "any of"; different filters all apply."""

    query: str = ""
    lang: tuple[str, ...] = ()
    country: tuple[str, ...] = ()  # named anywhere, in any role
    origin: tuple[str, ...] = ()  # --from
    destination: tuple[str, ...] = ()  # --to
    via: tuple[str, ...] = ()
    price_min: float | None = None  # EUR; an advert matches when one of its prices is in range
    price_max: float | None = None
    currency: tuple[str, ...] = ()
    document: tuple[str, ...] = ()
    transport: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    since: date | datetime | None = None  # dates are whole days, UTC
    until: date | datetime | None = None
    phone: str | None = None
    handle: str | None = None
    cluster: str | None = None
    case: str | None = None
    min_score: float | None = None  # relevance of the enrichment, 0..1
    collapse: bool = False  # one hit per near-duplicate cluster
    sort: SortOrder | None = None  # None: by score with a query, by date without
    limit: int = 20
    search_after: str | None = None  # the cursor of the previous page
    facets: bool = True
    price_interval: float = 500.0
    date_interval: DateInterval = "week"

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise _bad(f"limit must be between 1 and {MAX_LIMIT}, got {self.limit}")
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise _bad(f"price_min {self.price_min} is above price_max {self.price_max}")
        if self.since and self.until and _start(self.since) >= _end(self.until):
            raise _bad(f"since {self.since} is not before until {self.until}")
        if self.price_interval <= 0:
            raise _bad("price_interval must be above zero")

    @property
    def order(self) -> SortOrder:
        return self.sort or ("score" if self.query.strip() else "date")


def _start(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time.min, tzinfo=UTC)


def _end(value: date | datetime) -> datetime:
    """``until`` is inclusive: a date means the end of that day."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value + timedelta(days=1), time.min, tzinfo=UTC)


def _any(field: str, values: tuple[str, ...], case: Literal["upper", "lower", "keep"]) -> dict[str, Any]:
    cleaned = [value.strip() for value in values]
    if case != "keep":
        cleaned = [value.upper() if case == "upper" else value.lower() for value in cleaned]
    return {"terms": {field: cleaned}}


def filters(request: SearchRequest) -> list[dict[str, Any]]:
    """The filter clauses of the request (shared with the alerts' saved searches)."""
    clauses: list[dict[str, Any]] = []
    fields: tuple[tuple[str, tuple[str, ...], Literal["upper", "lower", "keep"]], ...] = (
        ("languages", request.lang, "lower"),
        ("countries", request.country, "upper"),
        ("route.origin", request.origin, "upper"),
        ("route.destination", request.destination, "upper"),
        ("route.transit", request.via, "upper"),
        ("currencies", request.currency, "upper"),
        ("documents", request.document, "lower"),
        ("transport", request.transport, "lower"),
        ("source", request.source, "keep"),
    )
    for field, values, case in fields:
        if values:
            clauses.append(_any(field, values, case))
    if request.price_min is not None or request.price_max is not None:
        bounds = {"gte": request.price_min, "lte": request.price_max}
        clauses.append({"range": {"prices.eur": {k: v for k, v in bounds.items() if v is not None}}})
    if request.since or request.until:
        window: dict[str, str] = {}
        if request.since:
            window["gte"] = _start(request.since).isoformat()
        if request.until:
            window["lt"] = _end(request.until).isoformat()
        clauses.append({"range": {"date": window}})
    if request.phone:
        clauses.append(phone_query(request.phone))
    if request.handle:
        clauses.append({"term": {"handles.value": normalize_handle(request.handle)}})
    if request.cluster:
        clauses.append({"term": {"cluster.id": request.cluster}})
    if request.case:
        clauses.append({"term": {"cases": request.case}})
    if request.min_score is not None:
        clauses.append({"range": {"score": {"gte": request.min_score}}})
    return clauses


def text_query(query: str) -> dict[str, Any]:
    if not query.strip():
        return {"match_all": {}}
    return {
        "simple_query_string": {
            "query": query,
            "fields": text_search_fields(),
            "default_operator": "and",
            "lenient": True,
        }
    }


def search_query(request: SearchRequest) -> dict[str, Any]:
    return {"bool": {"must": [text_query(request.query)], "filter": filters(request)}}


def sort_clauses(order: SortOrder) -> list[Any]:
    by_date = {"date": {"order": "desc", "missing": "_last"}}
    tie = {"advert_id": "asc"}  # unique, so search_after never skips or repeats a hit
    return [by_date, tie] if order == "date" else ["_score", by_date, tie]


def facet_aggs(request: SearchRequest) -> dict[str, Any]:
    def terms(field: str) -> dict[str, Any]:
        return {"terms": {"field": field, "size": FACET_SIZE}}

    aggs: dict[str, Any] = {
        "languages": terms("languages"),
        "origin": terms("route.origin"),
        "transit": terms("route.transit"),
        "destination": terms("route.destination"),
        "documents": terms("documents"),
        "transport": terms("transport"),
        "sources": terms("source"),
        "currencies": terms("currencies"),
        "price_eur": {"histogram": {"field": "price_eur.min", "interval": request.price_interval}},
        "dates": {
            "date_histogram": {
                "field": "date",
                "calendar_interval": request.date_interval,
                "format": "yyyy-MM-dd",
            }
        },
    }
    return aggs


def highlight() -> dict[str, Any]:
    """Whole fields marked with private-use tags (``indexer.highlight`` maps them to offsets).

    The ``plain`` highlighter, not the default ``unified``: for whole fields it marks exactly the
    same words (compared on 2,200 hits of the 1,000,000-advert index: words, phrases, prefixes,
    ``|`` and ``-``, Arabic, Persian, Turkish, German, sorted by score and by date) at about
    40 % of the cost (profiled on that index: 1.3 instead of 3.1 ms per page of 20 hits, which
    was a third of a search's time in Elasticsearch). Neither can use stored offsets here (the
    mapping keeps none), so both analyse the text again; the unified highlighter's passage
    machinery is wasted on whole fields. Storing offsets does not change the choice: on the
    1,000,000-advert index re-built with ``index_options: offsets``, ``unified`` reading them
    took 3.3 ms per page against ``plain``'s 1.5 ms (docs/benchmarks.md, issue 7).
    """
    whole = {"number_of_fragments": 0}
    return {
        "type": "plain",
        "pre_tags": [PRE],
        "post_tags": [POST],
        "fields": {"title": whole, "text": whole, "title_*": whole, "text_*": whole},
    }


def encode_cursor(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (ValueError, binascii.Error) as error:
        raise _bad(f"not a cursor from a previous page: {cursor!r}") from error
    if not isinstance(position, dict) or not ({"after"} <= position.keys() or {"from"} <= position.keys()):
        raise _bad(f"not a cursor from a previous page: {cursor!r}")
    return position


def hits_body(request: SearchRequest) -> dict[str, Any]:
    """The page of hits: sorted, highlighted, without a count or facets (:func:`summary_body`).

    Without an exact count Elasticsearch may stop early: it skips adverts that can no longer
    make the page (by score, or by date), which on a large index is most of them.
    """
    body: dict[str, Any] = {
        "query": search_query(request),
        "sort": sort_clauses(request.order),
        "size": request.limit,
        "track_total_hits": False,
        "highlight": highlight(),
        "_source": {"excludes": HIT_SOURCE_EXCLUDES},
    }
    if request.collapse:
        # Elasticsearch pages collapsed results by offset only (search_after needs a sort on the
        # collapse field alone), so the cursor carries an offset then.
        body["collapse"] = {"field": "cluster.id"}
    if request.search_after:
        position = decode_cursor(request.search_after)
        if "after" in position:
            body["search_after"] = position["after"]
        else:
            body["from"] = int(position["from"])
    return body


def summary_body(request: SearchRequest) -> dict[str, Any]:
    """What the request says about all its matches: the exact total, the facets, the clusters.

    No hits (``size: 0``) and nothing that changes from page to page, so the body is the same
    for every page of one search: Elasticsearch's shard request cache answers it again from
    memory (until the index changes) instead of counting a million adverts once more.
    """
    body: dict[str, Any] = {"query": search_query(request), "size": 0, "track_total_hits": True}
    aggs = facet_aggs(request) if request.facets else {}
    if request.collapse:
        # Per-segment ordinals: the global ordinals of a field with a value per advert would be
        # rebuilt after every refresh, on the first search that needs them (measured on 1,000,000
        # adverts: 15-30 instead of 30-40 ms per search).
        aggs["clusters"] = {"cardinality": {"field": "cluster.id", "execution_hint": "segment_ordinals"}}
    if aggs:
        body["aggs"] = aggs
    return body


def next_cursor(
    request: SearchRequest, last_sort: list[Any] | None, returned: int, offset: int
) -> str | None:
    """The cursor of the following page, or None when this page was the last."""
    if returned < request.limit or last_sort is None:
        return None
    if request.collapse:
        return encode_cursor({"from": offset + returned})
    return encode_cursor({"after": last_sort})
