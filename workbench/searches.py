"""Which saved searches match the sampled adverts under each enrichment (``keywords diff``).

Each enabled saved search is compiled as the alert matcher compiles it — its query AND its
minimum relevance (``alerts.compile.compile_search``, ``alerts.matcher.restricted``) — and
evaluated in Python on both documents of every advert (``workbench.query_eval``). Its free
text, which the enrichment does not touch, is asked of Elasticsearch once per search, limited
to the sampled ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from alerts.compile import compile_search
from alerts.matcher import restricted
from radar.config.alerts import SavedSearch
from workbench.compare import Document, SearchChange, example
from workbench.query_eval import UnsupportedQueryError, matches, text_queries
from workbench.sample import Stored

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

_IDS_PER_REQUEST = 5000


def _text_hits(
    client: Elasticsearch, alias: str, queries: Sequence[Mapping[str, Any]], doc_ids: Sequence[str]
) -> dict[str, set[str]]:
    """For each free-text query string, the sampled document ids Elasticsearch matches."""
    hits: dict[str, set[str]] = {}
    for clause in queries:
        text = clause["simple_query_string"]["query"]
        if text in hits:
            continue
        found: set[str] = set()
        for start in range(0, len(doc_ids), _IDS_PER_REQUEST):
            chunk = list(doc_ids[start : start + _IDS_PER_REQUEST])
            response = client.search(
                index=alias,
                query={"bool": {"must": [dict(clause)], "filter": [{"ids": {"values": chunk}}]}},
                size=len(chunk),
                source=False,
                track_total_hits=False,
            )
            found |= {hit["_id"] for hit in response["hits"]["hits"]}
        hits[text] = found
    return hits


def search_changes(
    client: Elasticsearch,
    alias: str,
    searches: Mapping[str, SavedSearch],
    adverts: Sequence[tuple[Stored, Document, Document]],
    examples: int = 3,
) -> list[SearchChange]:
    """Per enabled saved search: adverts it matches before and after, and which ones change."""
    compiled = {
        name: restricted(compile_search(search), {"match_all": {}}, search.min_score)
        for name, search in sorted(searches.items())
        if search.enabled
    }
    all_text = [clause for query in compiled.values() for clause in text_queries(query)]
    text_hits = _text_hits(client, alias, all_text, [stored.doc_id for stored, _, _ in adverts])
    changes = []
    for name, query in compiled.items():
        change = SearchChange(name)
        try:
            for stored, before, after in adverts:
                old = matches(query, before, stored.doc_id, text_hits)
                new = matches(query, after, stored.doc_id, text_hits)
                change.matched_before += old
                change.matched_after += new
                if old == new:
                    continue
                advert_id = str(stored.source.get("advert_id") or stored.doc_id)
                (change.gained if new else change.lost).append(advert_id)
                if len(change.examples) < examples:
                    change.examples.append(example(stored, "now matches" if new else "no longer matches"))
        except UnsupportedQueryError as error:
            change.error = f"cannot be evaluated here: {error}"
        change.gained.sort()
        change.lost.sort()
        changes.append(change)
    return changes
