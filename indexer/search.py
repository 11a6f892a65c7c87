"""Search for officers, as a Python API: the CLI and the web UI both call :func:`search`.

    from indexer.query import SearchRequest
    from indexer.search import search

    result = search(client, names.alias, SearchRequest(query="جواز سفر", origin=("LY",), limit=20))
    for hit in result.hits:
        hit.snippet()                 # text around the first match, matches in [brackets]
        hit.highlights["text"]        # [(start, end), ...] offsets into hit.text
    result.facets.origin              # (Bucket(key="LY", count=12), ...)
    result.next_cursor                # pass as SearchRequest(search_after=...) for the next page

Highlights are offsets into the original text (see ``indexer.highlight``), never HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from indexer.fields import TEXT_FAMILIES
from indexer.highlight import Span, merge, spans_in
from indexer.highlight import snippet as make_snippet
from indexer.query import SearchRequest, decode_cursor, hits_body, next_cursor, summary_body

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


@dataclass(frozen=True)
class Bucket:
    key: str
    count: int


@dataclass(frozen=True)
class Facets:
    languages: tuple[Bucket, ...] = ()
    origin: tuple[Bucket, ...] = ()
    transit: tuple[Bucket, ...] = ()
    destination: tuple[Bucket, ...] = ()
    documents: tuple[Bucket, ...] = ()
    transport: tuple[Bucket, ...] = ()
    sources: tuple[Bucket, ...] = ()
    currencies: tuple[Bucket, ...] = ()
    price_eur: tuple[Bucket, ...] = ()  # key: lower bound of the bucket in EUR, e.g. "1500"
    dates: tuple[Bucket, ...] = ()  # key: start of the interval, ISO date


@dataclass(frozen=True)
class Hit:
    doc_id: str
    relevance: float | None  # Elasticsearch's score (None when sorted by date)
    source: Mapping[str, Any]  # the stored document (without the per-language copies)
    highlights: Mapping[str, tuple[Span, ...]]  # "title" / "text" -> offsets into that field

    def __getattr__(self, name: str) -> Any:
        # hit.advert_id, hit.text, hit.route, ... read the stored document
        try:
            return self.source[name]
        except KeyError:
            raise AttributeError(name) from None

    def snippet(self, family: str = "text", width: int = 160, before: str = "[", after: str = "]") -> str:
        text = self.source.get(family) or ""
        return make_snippet(text, self.highlights.get(family, ()), width, before, after)

    def as_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "relevance": self.relevance,
            **self.source,
            "highlights": {name: [list(span) for span in spans] for name, spans in self.highlights.items()},
        }


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    total: int
    total_is_exact: bool
    facets: Facets = field(default_factory=Facets)
    next_cursor: str | None = None
    clusters: int | None = None  # distinct clusters among all matches (collapse only; approximate)
    took_ms: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "total_is_exact": self.total_is_exact,
            "clusters": self.clusters,
            "next_cursor": self.next_cursor,
            "took_ms": self.took_ms,
            "facets": asdict(self.facets),
            "hits": [hit.as_dict() for hit in self.hits],
        }


def hit_highlights(source: Mapping[str, Any], marked: Mapping[str, list[str]]) -> dict[str, tuple[Span, ...]]:
    """Spans per text family, merged over the neutral field and the per-language copies."""
    found: dict[str, tuple[Span, ...]] = {}
    for family in TEXT_FAMILIES:
        original = source.get(family)
        if not isinstance(original, str):
            continue
        spans: list[Span] = []
        for field_name, fragments in marked.items():
            if field_name == family or field_name.startswith(family + "_"):
                for fragment in fragments:
                    spans.extend(spans_in(fragment, original))
        if spans:
            found[family] = tuple(merge(spans))
    return found


def _buckets(aggs: Mapping[str, Any], name: str) -> tuple[Bucket, ...]:
    buckets = aggs.get(name, {}).get("buckets", [])
    return tuple(
        Bucket(str(b.get("key_as_string", _plain_number(b["key"]))), int(b["doc_count"]))
        for b in buckets
        if b["doc_count"] > 0
    )


def _plain_number(key: Any) -> Any:
    return int(key) if isinstance(key, float) and key.is_integer() else key


def parse_facets(aggs: Mapping[str, Any]) -> Facets:
    names = ("languages", "origin", "transit", "destination", "documents", "transport", "sources")
    values = {name: _buckets(aggs, name) for name in (*names, "currencies", "price_eur", "dates")}
    return Facets(**values)


def parse_response(
    request: SearchRequest, hits_response: Mapping[str, Any], summary: Mapping[str, Any]
) -> SearchResult:
    """The result from the answers to :func:`hits_body` and :func:`summary_body`."""
    raw_hits = hits_response["hits"]["hits"]
    hits = tuple(
        Hit(
            doc_id=raw["_id"],
            relevance=raw.get("_score"),
            source=raw["_source"],
            highlights=hit_highlights(raw["_source"], raw.get("highlight", {})),
        )
        for raw in raw_hits
    )
    offset = 0
    if request.search_after:
        offset = int(decode_cursor(request.search_after).get("from", 0))
    aggs = summary.get("aggregations", {})
    total = summary["hits"]["total"]
    return SearchResult(
        hits=hits,
        total=int(total["value"]),
        total_is_exact=total["relation"] == "eq",
        facets=parse_facets(aggs) if request.facets and aggs else Facets(),
        next_cursor=next_cursor(request, raw_hits[-1].get("sort") if raw_hits else None, len(hits), offset),
        clusters=aggs["clusters"]["value"] if "clusters" in aggs else None,
        took_ms=max(int(hits_response.get("took", 0)), int(summary.get("took", 0))),
    )


def search(client: Elasticsearch, alias: str, request: SearchRequest) -> SearchResult:
    """Run one search against the adverts alias.

    The page of hits and the summary (total, facets) go to Elasticsearch as two searches in one
    ``_msearch``: it runs them side by side, the hits search may stop early for want of a count,
    and the summary, the same for every page, is answered from the shard request cache when it
    was asked before (and the index has not changed since).
    """
    bodies = (hits_body(request), summary_body(request))
    searches: list[Mapping[str, Any]] = [{}, bodies[0], {"request_cache": True}, bodies[1]]
    answers = client.msearch(index=alias, searches=searches).body["responses"]
    for number, answer in enumerate(answers):
        if "error" in answer:
            # _msearch reports a failed search in its answer; asked on its own, the same search
            # raises the client's error for it (ApiError with the status), as callers expect.
            answers[number] = client.search(index=alias, **bodies[number]).body
    return parse_response(request, answers[0], answers[1])
