"""Cluster statistics (size, first and last seen, sources), always derived from the members.

Read from the near-duplicate store (``read_stats``), or worked out in Python for a cluster a
batch just created, whose members are all in that batch (``fresh_stats``): the same answer
without reading them back (a unit test holds the two together).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from indexer.document import ClusterInfo

CHUNK = 900  # bound parameters per statement, well under every SQLite's limit

# Statistics are derived from the members every time (idempotent), never counted up.
STATS_QUERY = (
    "SELECT cluster_id, COUNT(*), MIN(COALESCE(date, first_seen)), "
    "MAX(MAX(COALESCE(date, ''), COALESCE(last_seen, ''))), group_concat(DISTINCT source) "
    "FROM adverts WHERE cluster_id IN ({marks}) GROUP BY cluster_id"
)


def read_stats(db: sqlite3.Connection, cluster_ids: set[str]) -> dict[str, ClusterInfo]:
    """The statistics of these clusters as their members in the store give them."""
    found: dict[str, ClusterInfo] = {}
    wanted = sorted(cluster_ids)
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start : start + CHUNK]
        query = STATS_QUERY.format(marks=",".join("?" * len(part)))
        for cluster_id, size, first, last, sources in db.execute(query, part):
            found[cluster_id] = ClusterInfo(cluster_id, size, first, last or None, _sources(sources or ""))
    return found


def fresh_stats(cluster_id: str, rows: list[tuple[Any, ...]]) -> ClusterInfo:
    """STATS_QUERY's answer for members not stored yet (rows as inserted into ``adverts``)."""
    # (number, advert_id, doc_id, cluster_id, source, date, first_seen, last_seen, signature)
    if len(rows) == 1:  # most clusters a batch creates: the same answer, without the generic work
        (_, _, _, _, source, date, first_seen, last_seen, _) = rows[0]
        only_last = max(date or "", last_seen or "")
        first_of = date if date is not None else first_seen
        return ClusterInfo(cluster_id, 1, first_of, only_last or None, _sources(source))
    firsts = [row[5] if row[5] is not None else row[6] for row in rows]
    first = min((value for value in firsts if value is not None), default=None)
    last = max(max(row[5] or "", row[7] or "") for row in rows)
    return ClusterInfo(
        cluster_id, len(rows), first, last or None, _sources(",".join({row[4] for row in rows}))
    )


def _sources(joined: str) -> tuple[str, ...]:
    return tuple(sorted(set(joined.split(",")) - {""}))
