"""The network view: every advert sharing a phone number, a handle or a near-duplicate cluster.

For one contact (or cluster) officers get the adverts (oldest first), the sources they
appeared in with first and last seen per source, and the other phones, handles and clusters
found in those adverts, which is where the next pivot usually starts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from indexer.contact_terms import normalize_handle, normalize_phone, phone_query
from indexer.search import Bucket
from radar.errors import Code, RadarError

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

PAGE = 500
RELATED = 50
ADVERT_FIELDS = ["advert_id", "source", "url", "date", "first_seen", "last_seen", "title", "text"]
ADVERT_FIELDS += ["cluster.id", "phones.e164", "handles.platform", "handles.value", "language", "route"]


@dataclass(frozen=True)
class SourceSeen:
    source: str
    adverts: int
    first_seen: str | None
    last_seen: str | None


@dataclass(frozen=True)
class PivotAdvert:
    doc_id: str
    advert_id: str
    source: str
    url: str | None
    date: str | None
    last_seen: str | None
    cluster_id: str | None
    language: str | None
    title: str | None
    text: str

    @classmethod
    def from_hit(cls, hit: Mapping[str, Any]) -> PivotAdvert:
        doc = hit["_source"]
        return cls(
            doc_id=hit["_id"],
            advert_id=doc["advert_id"],
            source=doc["source"],
            url=doc.get("url"),
            date=doc.get("date"),
            last_seen=doc.get("last_seen"),
            cluster_id=(doc.get("cluster") or {}).get("id"),
            language=doc.get("language"),
            title=doc.get("title"),
            text=doc.get("text") or "",
        )


@dataclass(frozen=True)
class PivotResult:
    kind: str  # phone, handle or cluster
    value: str  # normalized as searched
    total: int
    first_seen: str | None
    last_seen: str | None
    sources: tuple[SourceSeen, ...]
    adverts: tuple[PivotAdvert, ...]
    phones: tuple[Bucket, ...]  # every phone in these adverts (the pivot's own included)
    handles: tuple[Bucket, ...]
    clusters: tuple[Bucket, ...]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def pivot_filter(
    phone: str | None, handle: str | None, cluster: str | None
) -> tuple[str, str, dict[str, Any]]:
    given: list[tuple[str, str]] = []
    for name, wanted in (("phone", phone), ("handle", handle), ("cluster", cluster)):
        if wanted:
            given.append((name, wanted))
    if len(given) != 1:
        raise RadarError(Code.SEARCH_BAD_REQUEST, "give exactly one of a phone, a handle or a cluster id")
    kind, value = given[0]
    if kind == "phone":
        return kind, normalize_phone(value), phone_query(value)
    if kind == "handle":
        handle_value = normalize_handle(value)
        return kind, handle_value, {"term": {"handles.value": handle_value}}
    return kind, value, {"term": {"cluster.id": value}}


def _seen(aggs: Mapping[str, Any], name: str) -> str | None:
    value = aggs.get(name, {})
    return value.get("value_as_string") if value.get("value") is not None else None


def _adverts(client: Elasticsearch, alias: str, query: dict[str, Any], limit: int) -> Iterator[PivotAdvert]:
    after: list[Any] | None = None
    returned = 0
    while returned < limit:
        page = client.search(
            index=alias,
            query=query,
            sort=[{"date": {"order": "asc", "missing": "_last"}}, {"advert_id": "asc"}],
            size=min(PAGE, limit - returned),
            source_includes=ADVERT_FIELDS,
            search_after=after,
        )
        hits = page["hits"]["hits"]
        for hit in hits:
            yield PivotAdvert.from_hit(hit)
        returned += len(hits)
        if len(hits) < PAGE:
            return
        after = hits[-1]["sort"]


def pivot(
    client: Elasticsearch,
    alias: str,
    *,
    phone: str | None = None,
    handle: str | None = None,
    cluster: str | None = None,
    limit: int = 1000,
) -> PivotResult:
    """Everything sharing this phone, handle or cluster (exactly one of them)."""
    kind, value, clause = pivot_filter(phone, handle, cluster)
    query = {"bool": {"filter": [clause]}}
    seen = {"first_seen": {"min": {"field": "date"}}, "last_seen": {"max": {"field": "last_seen"}}}
    response = client.search(
        index=alias,
        query=query,
        size=0,
        track_total_hits=True,
        aggs={
            **seen,
            "sources": {"terms": {"field": "source", "size": RELATED}, "aggs": seen},
            "phones": {"terms": {"field": "phones.e164", "size": RELATED}},
            "handles": {"terms": {"field": "handles.value", "size": RELATED}},
            "clusters": {"terms": {"field": "cluster.id", "size": RELATED}},
        },
    )
    aggs = response["aggregations"]

    def buckets(name: str) -> tuple[Bucket, ...]:
        return tuple(Bucket(str(b["key"]), int(b["doc_count"])) for b in aggs[name]["buckets"])

    return PivotResult(
        kind=kind,
        value=value,
        total=int(response["hits"]["total"]["value"]),
        first_seen=_seen(aggs, "first_seen"),
        last_seen=_seen(aggs, "last_seen"),
        sources=tuple(
            SourceSeen(b["key"], int(b["doc_count"]), _seen(b, "first_seen"), _seen(b, "last_seen"))
            for b in aggs["sources"]["buckets"]
        ),
        adverts=tuple(_adverts(client, alias, query, limit)),
        phones=buckets("phones"),
        handles=buckets("handles"),
        clusters=buckets("clusters"),
    )
