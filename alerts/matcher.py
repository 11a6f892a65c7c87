"""Which saved searches match a batch of newly indexed adverts.

``Matcher`` is the small interface the rest of alerts uses. ``ReverseSearchMatcher`` is the
implementation for Elasticsearch clusters without the percolator module (our local node is
assembled from Maven Central, which does not carry it): for one batch of new advert ids it
sends ONE ``_msearch`` with one sub-search per saved search, each being the saved search's
query AND a filter on the batch's document ids AND the search's minimum relevance (the ids
are listed inline for a small batch, and for a large one read by terms lookup from a batch
document written once, which keeps the request small). Every sub-search
is confined to the batch, so the cost grows with the batch and the number of saved searches,
never with the size of the index. A percolator-backed matcher (one ``percolate`` query per
batch against the saved-search index) can implement the same interface on production
clusters; see docs/alerts.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from alerts.saved_index import StoredSearch, ensure_batches_index, read_searches, write_searches
from radar.config.alerts import SavedSearch
from radar.errors import Code, RadarError

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


@dataclass(frozen=True)
class Hit:
    """Saved search ``search`` matched the advert with document id ``doc_id``."""

    search: str
    doc_id: str


class Matcher(Protocol):
    """Finds, for a batch of advert document ids, the saved searches each one satisfies."""

    def sync(self, searches: Mapping[str, SavedSearch], recipients: Mapping[str, Sequence[str]]) -> None:
        """Store the enabled saved searches (and forget removed ones)."""

    def match(self, doc_ids: Sequence[str]) -> list[Hit]:
        """Every (saved search, advert) pair among ``doc_ids``; ids must be visible to search."""


def restricted(
    query: Mapping[str, Any], within: Mapping[str, Any], min_score: float, *, scored: bool = False
) -> dict[str, Any]:
    """The saved search's query AND ``within`` AND an enrichment score of at least ``min_score``.

    Matching needs no relevance ranking, so by default the query runs in filter context: nothing
    is scored and Elasticsearch may cache its clauses. ``scored`` keeps the ranking (dry runs).
    """
    filters: list[dict[str, Any]] = [dict(within)]
    if min_score > 0:
        filters.append({"range": {"score": {"gte": min_score}}})
    if scored:
        return {"bool": {"must": [dict(query)], "filter": filters}}
    return {"bool": {"filter": [dict(query), *filters]}}


def with_batch(query: Mapping[str, Any], doc_ids: Sequence[str], min_score: float) -> dict[str, Any]:
    """The saved search's query restricted to a batch of advert document ids (listed inline)."""
    return restricted(query, {"ids": {"values": list(doc_ids)}}, min_score)


# Up to this many ids are listed in every sub-search; a larger batch is written once as a batch
# document and every sub-search filters on it by terms lookup: with 1,000 saved searches and
# 2,000 ids, listing them inline would make a 70 MB request.
INLINE_IDS = 200


class ReverseSearchMatcher:
    """Batched reverse search: one ``_msearch`` per batch, one sub-search per saved search."""

    def __init__(
        self, client: Elasticsearch, adverts_alias: str, searches_index: str, batches_index: str
    ) -> None:
        self._client = client
        self._alias = adverts_alias
        self._index = searches_index
        self._batches = batches_index
        self._searches: list[StoredSearch] | None = None

    def sync(self, searches: Mapping[str, SavedSearch], recipients: Mapping[str, Sequence[str]]) -> None:
        enabled = {name: search for name, search in searches.items() if search.enabled}
        write_searches(self._client, self._index, enabled, recipients)
        ensure_batches_index(self._client, self._batches)
        self._searches = read_searches(self._client, self._index)

    def stored(self) -> list[StoredSearch]:
        """The saved searches matched against, read from their index once per process (or after sync)."""
        if self._searches is None:
            self._searches = read_searches(self._client, self._index)
        return self._searches

    def match(self, doc_ids: Sequence[str]) -> list[Hit]:
        searches = self.stored()
        if not doc_ids or not searches:
            return []
        batch_key = None
        within: dict[str, Any] = {"ids": {"values": list(doc_ids)}}
        if len(doc_ids) > INLINE_IDS:
            batch_key = uuid.uuid4().hex
            # A realtime GET reads it back, so no refresh is needed before the terms lookups.
            self._client.index(index=self._batches, id=batch_key, document={"ids": list(doc_ids)})
            within = {"terms": {"_id": {"index": self._batches, "id": batch_key, "path": "ids"}}}
        body: list[dict[str, Any]] = []
        for search in searches:
            body.append({"index": self._alias})
            body.append(
                {
                    "query": restricted(search.query, within, search.min_score),
                    "size": len(doc_ids),
                    "sort": ["_doc"],  # index order: no ranking to compute
                    "_source": False,
                    "track_total_hits": False,
                }
            )
        try:
            response = self._client.msearch(
                searches=body,
                filter_path=["responses.hits.hits._id", "responses.error", "responses.status"],
            )
        finally:
            if batch_key is not None:
                self._client.options(ignore_status=404).delete(index=self._batches, id=batch_key)
        hits: list[Hit] = []
        for search, answer in zip(searches, response["responses"], strict=True):
            if "error" in answer:
                raise RadarError(
                    Code.ALERT_MATCH_FAILED,
                    f"saved search '{search.name}' failed in Elasticsearch: {_reason(answer['error'])}",
                )
            hits += [Hit(search.name, hit["_id"]) for hit in answer.get("hits", {}).get("hits", [])]
        return hits


def _reason(error: Any) -> str:
    if isinstance(error, Mapping):
        root = error.get("root_cause") or [error]
        first = root[0] if isinstance(root, list) and root else error
        if isinstance(first, Mapping):
            return f"{first.get('type', 'error')}: {first.get('reason', '')}"
    return str(error)
