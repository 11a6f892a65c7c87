"""Keeping cluster statistics on the advert documents up to date, without scripts.

When an advert joins a cluster, the cluster's size, first/last seen and sources change for
every member indexed before (members placed with or after the change carry the new values
already; the store knows which: ``NearDuplicates.members_to_update``). Elasticsearch's
scripted updates are not available everywhere (the local node has no Painless), so the new
values are computed client-side (``indexer.dedup``) and written with partial-document updates
to those members. A cluster stays marked dirty in the
near-duplicate store until Elasticsearch acknowledged every member's update, so an outage
delays these updates but never loses them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from indexer.dedup import NearDuplicates

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

DIRTY_PER_ROUND = 500


@dataclass
class ClusterSync:
    updated: int = 0  # member documents updated
    missing: int = 0  # members not (yet) in the index: they get fresh values when indexed
    clusters: int = 0  # clusters brought up to date
    failed: int = 0  # updates that will be tried again on the next drain


def update_actions(store: NearDuplicates, alias: str, cluster_ids: list[str]) -> Iterator[dict[str, Any]]:
    stats = store.stats(cluster_ids)
    for cluster_id in cluster_ids:
        info = stats.get(cluster_id)
        if info is None:
            continue
        for doc_id in store.members_to_update(cluster_id):
            yield {
                "_op_type": "update",
                "_index": alias,
                "_id": doc_id,
                "doc": {"cluster": info.as_field()},
                "_cluster": cluster_id,  # ours, removed before sending
            }


def sync_dirty_clusters(client: Elasticsearch, store: NearDuplicates, alias: str) -> ClusterSync:
    """Write current statistics to every member of every dirty cluster; clean what succeeded."""
    from elasticsearch import ApiError, TransportError
    from elasticsearch.helpers import streaming_bulk

    result = ClusterSync()
    while True:
        dirty = store.dirty(DIRTY_PER_ROUND)
        if not dirty:
            return result
        failed_clusters: set[str] = set()
        actions = list(update_actions(store, alias, dirty))
        by_id = {action["_id"]: action.pop("_cluster") for action in actions}
        try:
            for ok, info in streaming_bulk(
                client, actions, chunk_size=500, raise_on_error=False, raise_on_exception=False
            ):
                outcome = info.get("update", {})
                if ok:
                    result.updated += 1
                elif outcome.get("status") == 404:
                    result.missing += 1
                else:
                    result.failed += 1
                    failed_clusters.add(by_id.get(outcome.get("_id", ""), ""))
        except (TransportError, ApiError):
            # Elasticsearch went away: every cluster of this round stays dirty for the next drain.
            result.failed += len(actions)
            return result
        done = [cluster_id for cluster_id in dirty if cluster_id not in failed_clusters]
        store.clean(done)
        result.clusters += len(done)
        if failed_clusters:
            return result  # try those again next time rather than looping on them now
