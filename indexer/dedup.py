"""Near-duplicate clusters: MinHash (datasketch) over folded text, LSH banding.

Smugglers repost one advert across groups with small edits. Each advert gets a MinHash
signature of its character shingles (``indexer.textfold``); the signature is cut into ``b``
bands of ``r`` rows (datasketch's optimal ``b, r`` for the configured threshold), each band
hashed to a key. Adverts sharing a band key are candidates; a candidate whose estimated
Jaccard similarity reaches the threshold puts the new advert in its cluster (single link).
A new cluster's id is the document id of its first advert.

Everything lives in one SQLite file under the state folder (``indexer.dedup_sql``), so
clusters survive restarts. The band keys are also held in memory while adverts are placed
(``indexer.bands``: sorted numpy segments, about 150 bytes per advert), because looking them up
and adding them in SQLite was the larger part of the drain's own CPU.
Assigning is idempotent by advert id: the drain may assign the same advert again after an
Elasticsearch failure and the cluster and its statistics do not change. Statistics (size,
first/last seen, sources) are computed from the members, never counted up, for the same reason.

This module is the store's API and its transactions; the decisions for one batch are made in
``indexer.dedup_batch``. Clusters whose statistics changed are marked dirty until the other
members' documents in Elasticsearch have been updated (``indexer.clusters``).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from indexer import bands as band_table
from indexer import dedup_sql as sql
from indexer.cluster_stats import fresh_stats, read_stats
from indexer.dedup_batch import (
    Placement,
    Sighting,
    band_keys_of,
    keys_that_matter,
    plan_batch,
    signatures_of,
)
from indexer.document import ClusterInfo
from indexer.minhash import BANDING, band_key_matrix, lsh_bands
from radar.sqlite import immediate_transaction

__all__ = ["NearDuplicates", "Placement", "Sighting"]

# Single link: one similar member is enough, so a band shared by a huge cluster costs no more.
PER_BAND = 8


class NearDuplicates:
    """The persistent near-duplicate store (one SQLite file)."""

    def __init__(self, path: Path, threshold: float) -> None:
        self.threshold = threshold
        self.bands, self.rows = lsh_bands(threshold)
        self._lock = threading.Lock()
        self._db = sql.open_store(path)
        self._bands = band_table.BandIndex()
        self._match_bands_to_threshold()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self, *, bands: bool = False) -> Iterator[sqlite3.Connection]:
        """A write transaction; with ``bands``, the band keys in memory brought up to date first
        (loaded on first use: reading clusters never needs them)."""
        with immediate_transaction(self._db, self._lock) as db:
            try:
                if bands:
                    self._bands.sync(db)
                yield db
            except BaseException:
                self._bands.reset()  # the file is rolled back; the copy reloads from it
                raise

    def _match_bands_to_threshold(self) -> None:
        """A changed threshold changes the banding: re-band every stored signature once."""
        wanted = f"{self.bands}x{self.rows} {BANDING} segments"
        with self._transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'banding'").fetchone()
            if row is not None and row[0] == wanted:
                return
            rows = db.execute("SELECT id, signature FROM adverts WHERE signature IS NOT NULL").fetchall()
            self._bands.replace_all(db, self._rebanded(rows))
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('banding', ?)", (wanted,))

    def _rebanded(self, rows: list[tuple[int, bytes]]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, len(rows), 10_000):
            part = rows[start : start + 10_000]
            stacked = np.stack([np.frombuffer(blob, dtype=np.uint32) for _, blob in part])
            keys = band_key_matrix(stacked, self.bands, self.rows)
            numbers = np.array([number for number, _ in part], dtype=np.int64)
            yield keys.ravel(), np.repeat(numbers, keys.shape[1])

    # ------------------------------------------------------------ assigning

    def assign(self, sightings: Sequence[Sighting]) -> dict[str, Placement]:
        """Place each advert in a cluster (see :meth:`place`)."""
        return self._assign(sightings, with_stats=False)[0]

    def place(self, sightings: Sequence[Sighting]) -> tuple[dict[str, Placement], dict[str, ClusterInfo]]:
        """Place each advert in a cluster, and the statistics of every cluster of the batch.

        The statistics are those :meth:`stats` would read right after; for a cluster this batch
        created, whose members are all in the batch, they are worked out without reading them.
        """
        return self._assign(sightings, with_stats=True)

    def _assign(
        self, sightings: Sequence[Sighting], *, with_stats: bool
    ) -> tuple[dict[str, Placement], dict[str, ClusterInfo]]:
        """Place each advert in a cluster, in order, so near-duplicates within one batch meet too.

        The whole batch costs a handful of SQL statements: the known adverts and the signatures of
        the adverts sharing any of the batch's band keys (found in memory) are read at once.

        A cluster is marked dirty when its statistics changed and it has members outside this
        batch: the batch's own documents are built afterwards from the new statistics (as
        ``indexer.prepare`` does), so only the members indexed earlier need updating.
        """
        sigs = signatures_of(sightings)  # outside the lock: the costly part
        matrix, rows = band_keys_of(sigs, self.bands, self.rows)
        with self._transaction(bands=True) as db:
            known = sql.known(db, [s.advert_id for s in sightings])
            in_batch = Counter(cluster_id for cluster_id, _, _ in known.values())
            unseen = [
                row for s, row in zip(sightings, rows, strict=True) if row >= 0 and s.advert_id not in known
            ]
            own = matrix[unseen]
            distinct, counts = np.unique(own, return_counts=True)
            nearby = self._bands.nearby(distinct, PER_BAND)
            # Keys that can find a candidate: in the store, or shared by two new adverts of the batch.
            matter = keys_that_matter(own, unseen, np.union1d(distinct[counts > 1], list(nearby)))
            keys = [(row, matter.get(row, [])) for row in rows]
            candidates = sql.signatures(db, {number for numbers in nearby.values() for number in numbers})
            # Adverts numbered from here on get their documents built after this batch's changes.
            first_new = sql.next_number(db)
            plan = plan_batch(sightings, sigs, keys, known, nearby, candidates, first_new, self.threshold)
            sizes = sql.sizes(db, plan.changed)  # members before this batch
            dirty = [c for c, members in sizes.items() if members > in_batch[c]]
            db.executemany(sql.INSERT_ADVERT, plan.new_rows)
            self._bands.add(db, *band_table.key_rows(matrix, plan.banded))
            db.executemany(sql.UPDATE_SEEN, plan.seen_rows)
            db.executemany(sql.MARK_DIRTY, [(c, first_new) for c in dirty])
            if not with_stats:
                return plan.placements, {}
            # Clusters created in this batch (and not an older cluster's id reused): all members here.
            newborn: dict[object, list[tuple[Any, ...]]] = {c: [] for c in plan.created if not sizes.get(c)}
            for inserted in plan.new_rows:
                if inserted[3] in newborn:
                    newborn[inserted[3]].append(inserted)
            stats = {str(cid): fresh_stats(str(cid), rows) for cid, rows in newborn.items()}
            others = {placement.cluster_id for placement in plan.placements.values()} - stats.keys()
            stats.update(read_stats(db, others))
        return plan.placements, stats

    # ------------------------------------------------------------ reading clusters

    def stats(self, cluster_ids: Iterable[str]) -> dict[str, ClusterInfo]:
        """Current statistics of these clusters (computed from their members)."""
        with self._lock:
            return read_stats(self._db, set(cluster_ids))

    def members(self, cluster_id: str) -> list[str]:
        """Document ids of the cluster's adverts."""
        with self._lock:
            rows = self._db.execute(
                "SELECT doc_id FROM adverts WHERE cluster_id = ? ORDER BY doc_id", (cluster_id,)
            ).fetchall()
        return [row[0] for row in rows]

    def members_to_update(self, cluster_id: str) -> list[str]:
        """Document ids of the members whose documents lack the cluster's current statistics."""
        with self._lock:
            rows = self._db.execute(
                "SELECT doc_id FROM adverts WHERE cluster_id = ? AND id < COALESCE((SELECT since FROM "
                "dirty_clusters WHERE cluster_id = ?), 9223372036854775807) ORDER BY doc_id",
                (cluster_id, cluster_id),
            ).fetchall()
        return [row[0] for row in rows]

    def dirty(self, limit: int = 1000) -> list[str]:
        with self._lock:
            rows = self._db.execute("SELECT cluster_id FROM dirty_clusters LIMIT ?", (limit,)).fetchall()
        return [row[0] for row in rows]

    def clean(self, cluster_ids: Iterable[str]) -> None:
        with self._transaction() as db:
            db.executemany("DELETE FROM dirty_clusters WHERE cluster_id = ?", [(c,) for c in cluster_ids])

    def count(self) -> int:
        with self._lock:
            (total,) = self._db.execute("SELECT COUNT(*) FROM adverts").fetchone()
        return int(total)

    # ------------------------------------------------------------ forgetting

    def forget(self, advert_ids: Iterable[str]) -> set[str]:
        """Remove adverts (deleted or rejected); returns the clusters that still have members."""
        ids = list(advert_ids)
        touched: set[str] = set()
        numbers: list[int] = []
        with self._transaction(bands=True) as db:
            for advert_id in ids:
                found = db.execute("SELECT id, cluster_id FROM adverts WHERE advert_id = ?", (advert_id,))
                row = found.fetchone()
                if row is None:
                    continue
                number, cluster_id = row
                numbers.append(number)
                db.execute("DELETE FROM adverts WHERE id = ?", (number,))
                touched.add(cluster_id)
            self._bands.remove(db, numbers)
            remaining = {
                cluster_id
                for cluster_id in touched
                if db.execute("SELECT 1 FROM adverts WHERE cluster_id = ? LIMIT 1", (cluster_id,)).fetchone()
            }
            for cluster_id in touched - remaining:
                db.execute("DELETE FROM dirty_clusters WHERE cluster_id = ?", (cluster_id,))
            for cluster_id in remaining:
                db.execute(sql.MARK_DIRTY, (cluster_id, None))  # every member
        return remaining
