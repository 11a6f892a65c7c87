"""``smokkelradar alerts test NAME --since 7d``: what a saved search would have mailed, sending nothing.

The search runs over the adverts indexed in the window with exactly the query and minimum
relevance the matcher uses, one advert per near-duplicate cluster (as the ledger would allow),
and the adverts are rendered as the mail would show them. The ledger is only read, to say
which of them were mailed already.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from alerts.advert_view import AdvertView, view_of
from alerts.compile import compile_search
from alerts.compose import subject_for
from alerts.digest import MAX_PER_MAIL
from alerts.ledger import Ledger
from alerts.matcher import restricted
from indexer.highlight import Span
from indexer.query import highlight
from indexer.search import hit_highlights
from radar.config.alerts import SavedSearch
from radar.config.loaded import Config
from radar.errors import Code, RadarError

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


@dataclass(frozen=True)
class DryRun:
    search: SavedSearch
    since: datetime
    clusters: int  # distinct near-duplicate clusters that match in the window
    adverts: tuple[AdvertView, ...]  # the newest ``limit`` of them, one per cluster
    already_mailed: frozenset[str]  # doc ids of those whose cluster the ledger holds for this search
    doc_ids: tuple[str, ...]

    @property
    def mails(self) -> int:
        """Mails the search would have sent for ``clusters`` adverts."""
        if self.search.delivery == "per_advert":
            return self.clusters
        return -(-self.clusters // MAX_PER_MAIL)

    @property
    def subject(self) -> str:
        count = self.clusters if self.search.delivery == "digest" else 1
        return subject_for(self.search.name, min(count, MAX_PER_MAIL), self.search.language)


def find_search(config: Config, name: str) -> SavedSearch:
    search = config.alerts.get(name)
    if search is None:
        known = ", ".join(sorted(config.alerts)) or "none"
        raise RadarError(Code.ALERT_UNKNOWN_SEARCH, f"no saved search named {name!r} (configured: {known})")
    return search


def dry_run(
    config: Config,
    client: Elasticsearch,
    alias: str,
    ledger: Ledger | None,
    name: str,
    since: timedelta,
    *,
    now: datetime,
    limit: int = 50,
) -> DryRun:
    """Run saved search ``name`` over the adverts indexed in the last ``since``."""
    if since <= timedelta(0):
        raise RadarError(Code.ALERT_BAD_WINDOW, f"the window must be longer than zero, got {since}")
    search = find_search(config, name)
    start = now - since
    # What the matcher runs, with the window in place of the batch of new adverts.
    window = {"range": {"indexed_at": {"gte": start.isoformat()}}}
    query = restricted(compile_search(search), window, search.min_score, scored=True)
    response = client.search(
        index=alias,
        query=query,
        collapse={"field": "cluster.id"},
        sort=[{"indexed_at": "desc"}, {"advert_id": "asc"}],
        size=limit,
        highlight=highlight(),
        aggs={"clusters": {"cardinality": {"field": "cluster.id"}}},
        track_total_hits=True,
        ignore_unavailable=True,
    )
    hits = response["hits"]["hits"]
    aggregations = response.body.get("aggregations", {})
    clusters = int(aggregations.get("clusters", {}).get("value", len(hits)))
    views: list[AdvertView] = []
    cluster_of: dict[str, str] = {}
    for hit in hits:
        source = hit["_source"]
        spans: dict[str, tuple[Span, ...]] = hit_highlights(source, hit.get("highlight", {}))
        views.append(
            view_of(hit["_id"], source, spans, language=search.language, timezone=config.radar.timezone)
        )
        cluster_of[hit["_id"]] = str((source.get("cluster") or {}).get("id") or hit["_id"])
    mailed: set[str] = set()
    if ledger is not None:
        done = ledger.already_matched(search.name, list(cluster_of.values()))
        mailed = {doc_id for doc_id, cluster in cluster_of.items() if cluster in done}
    return DryRun(
        search=search,
        since=start,
        clusters=clusters,
        adverts=tuple(views),
        already_mailed=frozenset(mailed),
        doc_ids=tuple(hit["_id"] for hit in hits),
    )
