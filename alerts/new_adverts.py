"""Which adverts are new since the last match run: a checkpoint over ``indexed_at``.

Every advert document carries ``indexed_at`` (set by the indexer for each version it writes).
The checkpoint is a high-water mark of ``indexed_at`` plus the versions already matched within
a safety overlap before it, kept in the ledger's SQLite file and advanced in the same
transaction that queues the matches. So:

* a restart never misses an advert: a batch is either matched and recorded, or not at all;
* a restart never re-matches one: versions within the overlap that were matched are skipped;
* an advert that becomes visible late (refresh lag, a second drain in another process that
  stamped an earlier time) is still found as long as it is within the overlap; anything that
  slips through twice is stopped by the ledger's (search, cluster) key.

The scan is a range query on ``indexed_at`` sorted by time, so its cost grows with new
adverts, not with the size of the index.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

_SCHEMA = """
CREATE TABLE IF NOT EXISTS match_mark (
    name TEXT PRIMARY KEY,
    indexed_at INTEGER NOT NULL        -- epoch milliseconds
);
CREATE TABLE IF NOT EXISTS matched_versions (
    doc_id TEXT NOT NULL,
    indexed_at INTEGER NOT NULL,
    PRIMARY KEY (doc_id, indexed_at)
);
CREATE INDEX IF NOT EXISTS matched_versions_age ON matched_versions (indexed_at);
"""

DEFAULT_OVERLAP = timedelta(minutes=10)
DEFAULT_BATCH = 2000
_MARK = "adverts"


@dataclass(frozen=True)
class NewAdvert:
    doc_id: str
    cluster: str  # near-duplicate cluster id; the advert's own id when it has none yet
    indexed_at: int  # epoch milliseconds


class Checkpoint:
    """The mark and the matched versions, in the ledger's database."""

    def __init__(self, db: sqlite3.Connection, overlap: timedelta = DEFAULT_OVERLAP) -> None:
        self._db = db
        self.overlap_ms = int(overlap.total_seconds() * 1000)
        db.executescript(_SCHEMA)

    def mark(self) -> int | None:
        row = self._db.execute("SELECT indexed_at FROM match_mark WHERE name = ?", (_MARK,)).fetchone()
        return None if row is None else int(row[0])

    def scan_from(self) -> int:
        """Epoch ms to scan from: the mark minus the overlap (0 before the first run: everything)."""
        mark = self.mark()
        return 0 if mark is None else max(0, mark - self.overlap_ms)

    def unmatched(self, adverts: list[NewAdvert]) -> list[NewAdvert]:
        """``adverts`` minus the versions matched before."""
        if not adverts:
            return []
        low = min(advert.indexed_at for advert in adverts)
        rows = self._db.execute(
            "SELECT doc_id, indexed_at FROM matched_versions WHERE indexed_at >= ?", (low,)
        )
        done = {(row[0], int(row[1])) for row in rows}
        return [advert for advert in adverts if (advert.doc_id, advert.indexed_at) not in done]

    def advance(self, db: sqlite3.Connection, adverts: list[NewAdvert]) -> None:
        """Record ``adverts`` as matched and move the mark, inside the caller's transaction."""
        if not adverts:
            return
        db.executemany(
            "INSERT OR IGNORE INTO matched_versions (doc_id, indexed_at) VALUES (?, ?)",
            [(advert.doc_id, advert.indexed_at) for advert in adverts],
        )
        newest = max(advert.indexed_at for advert in adverts)
        db.execute(
            "INSERT INTO match_mark (name, indexed_at) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET indexed_at = MAX(indexed_at, excluded.indexed_at)",
            (_MARK, newest),
        )
        mark = self.mark() or newest
        db.execute("DELETE FROM matched_versions WHERE indexed_at < ?", (mark - self.overlap_ms,))


def scan(
    client: Elasticsearch, alias: str, since_ms: int, batch_size: int = DEFAULT_BATCH
) -> Iterator[list[NewAdvert]]:
    """Pages of adverts with ``indexed_at >= since_ms``, oldest first (call ``refresh`` before)."""
    after: list[Any] | None = None
    while True:
        page = client.search(
            index=alias,
            query={"range": {"indexed_at": {"gte": since_ms, "format": "epoch_millis"}}},
            sort=[{"indexed_at": "asc"}, {"advert_id": "asc"}],
            search_after=after,
            size=batch_size,
            source=False,
            docvalue_fields=[{"field": "indexed_at", "format": "epoch_millis"}, {"field": "cluster.id"}],
            track_total_hits=False,
            ignore_unavailable=True,
        )
        hits = page["hits"]["hits"]
        if not hits:
            return
        yield [_advert(hit) for hit in hits]
        if len(hits) < batch_size:
            return
        after = hits[-1]["sort"]


def _advert(hit: dict[str, Any]) -> NewAdvert:
    fields = hit.get("fields", {})
    clusters = fields.get("cluster.id") or [hit["_id"]]
    stamps = fields.get("indexed_at") or ["0"]
    return NewAdvert(doc_id=hit["_id"], cluster=str(clusters[0]), indexed_at=int(float(stamps[0])))
