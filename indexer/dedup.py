"""Near-duplicate clusters: MinHash (datasketch) over folded text, LSH banding kept in SQLite.

Smugglers repost one advert across groups with small edits. Each advert gets a MinHash
signature of its character shingles (``indexer.textfold``); the signature is cut into ``b``
bands of ``r`` rows (datasketch's optimal ``b, r`` for the configured threshold), each band
hashed to a key. Adverts sharing a band key are candidates; a candidate whose estimated
Jaccard similarity reaches the threshold puts the new advert in its cluster (single link).
A new cluster's id is the document id of its first advert.

Everything lives in one SQLite file under the state folder, so clusters survive restarts and
the state stays small in memory whatever the number of adverts. Assigning is idempotent by
advert id: the drain may assign the same advert again after an Elasticsearch failure and the
cluster and its statistics do not change. Statistics (size, first/last seen, sources) are
computed from the members, never counted up, for the same reason.

Clusters whose statistics changed are marked dirty until the other members' documents in
Elasticsearch have been updated (``indexer.clusters``).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from indexer.document import ClusterInfo
from indexer.minhash import band_keys, lsh_bands, signature, similarity

# Single link: one similar member is enough, so a band shared by a huge cluster costs no more.
PER_BAND = 8
CHUNK = 900  # bound parameters per statement, well under every SQLite's limit
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS adverts (
    id INTEGER PRIMARY KEY,
    advert_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    cluster_id TEXT NOT NULL,
    source TEXT NOT NULL,
    date TEXT,
    first_seen TEXT,
    last_seen TEXT,
    signature BLOB
);
CREATE INDEX IF NOT EXISTS adverts_by_cluster ON adverts (cluster_id);
-- One clustered b-tree, integer advert ids: small and quick to fill even with millions of adverts.
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL,
    advert INTEGER NOT NULL,
    PRIMARY KEY (key, advert)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dirty_clusters (cluster_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# Queries over a batch; {marks} becomes one "?" per value.
KNOWN_QUERY = "SELECT advert_id, cluster_id, first_seen, last_seen FROM adverts WHERE advert_id IN ({marks})"
SIGNATURES_QUERY = "SELECT id, cluster_id, signature FROM adverts WHERE id IN ({marks})"
NEARBY_QUERY = (
    "SELECT key, advert FROM (SELECT key, advert, ROW_NUMBER() OVER (PARTITION BY key) AS n "
    "FROM bands WHERE key IN ({marks})) WHERE n <= ?"
)
# Statistics are derived from the members every time (idempotent), never counted up.
STATS_QUERY = (
    "SELECT cluster_id, COUNT(*), MIN(COALESCE(date, first_seen)), "
    "MAX(MAX(COALESCE(date, ''), COALESCE(last_seen, ''))), group_concat(DISTINCT source) "
    "FROM adverts WHERE cluster_id IN ({marks}) GROUP BY cluster_id"
)


@dataclass(frozen=True)
class Sighting:
    """What the store needs to know of one advert."""

    advert_id: str
    doc_id: str
    source: str
    text: str
    date: str | None  # posted_at, else fetched_at (ISO, UTC)
    fetched_at: str | None


@dataclass(frozen=True)
class Placement:
    """Where an advert landed: its cluster and when this advert itself was first and last fetched."""

    cluster_id: str
    first_seen: str | None
    last_seen: str | None
    joined: bool  # True when the advert is new to the store and joined an existing cluster


def _chunks(values: Sequence[T]) -> Iterator[list[T]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def _min(a: str | None, b: str | None) -> str | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: str | None, b: str | None) -> str | None:
    return b if a is None else a if b is None else max(a, b)


class NearDuplicates:
    """The persistent near-duplicate store (one SQLite file)."""

    def __init__(self, path: Path, threshold: float) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.threshold = threshold
        self.bands, self.rows = lsh_bands(threshold)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=60.0, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._match_bands_to_threshold()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _match_bands_to_threshold(self) -> None:
        """A changed threshold changes the banding: re-band every stored signature once."""
        wanted = f"{self.bands}x{self.rows}"
        with self._transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'banding'").fetchone()
            if row is not None and row[0] == wanted:
                return
            db.execute("DELETE FROM bands")
            rows = db.execute("SELECT id, signature FROM adverts WHERE signature IS NOT NULL").fetchall()
            db.executemany(
                "INSERT OR IGNORE INTO bands (key, advert) VALUES (?, ?)",
                [
                    (key, number)
                    for number, blob in rows
                    for key in band_keys(np.frombuffer(blob, dtype=np.uint32), self.bands, self.rows)
                ],
            )
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('banding', ?)", (wanted,))

    # ------------------------------------------------------------ assigning

    def assign(self, sightings: Sequence[Sighting]) -> dict[str, Placement]:
        """Place each advert in a cluster, in order, so near-duplicates within one batch meet too.

        The whole batch costs a handful of SQL statements: known adverts, the adverts sharing
        any of the batch's band keys, and their signatures are read at once.
        """
        signatures = [signature(s.text) for s in sightings]  # outside the lock: the costly part
        keys = [band_keys(sig, self.bands, self.rows) if sig is not None else [] for sig in signatures]
        placements: dict[str, Placement] = {}
        with self._transaction() as db:
            known = self._known(db, [s.advert_id for s in sightings])
            fresh = {key for s, advert_keys in zip(sightings, keys, strict=True) if s.advert_id not in known
                     for key in advert_keys}  # fmt: skip
            nearby = self._nearby(db, fresh)
            candidates = self._signatures(db, {number for numbers in nearby.values() for number in numbers})
            (next_id,) = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM adverts").fetchone()
            new_rows: list[tuple[object, ...]] = []
            band_rows: list[tuple[int, int]] = []
            seen_rows: list[tuple[object, ...]] = []
            dirty: set[str] = set()
            for s, sig, advert_keys in zip(sightings, signatures, keys, strict=True):
                if s.advert_id in known:
                    # Seen before (a re-crawl or a retried drain): same cluster, seen times widened.
                    cluster_id, first, last = known[s.advert_id]
                    widened = (_min(first, s.fetched_at), _max(last, s.fetched_at))
                    if widened != (first, last):
                        dirty.add(cluster_id)
                    known[s.advert_id] = (cluster_id, *widened)
                    seen_rows.append((*widened, s.date, s.source, s.advert_id))
                    placements[s.advert_id] = Placement(cluster_id, *widened, joined=False)
                    continue
                number, next_id = next_id, next_id + 1
                near = dict.fromkeys(n for key in advert_keys for n in nearby.get(key, ()))
                found = (
                    self._best(sig, [candidates[n] for n in near if n in candidates])
                    if sig is not None
                    else None
                )
                cluster_id = found or s.doc_id
                if found:
                    dirty.add(found)
                blob = None if sig is None else sig.tobytes()
                new_rows.append(
                    (
                        number,
                        s.advert_id,
                        s.doc_id,
                        cluster_id,
                        s.source,
                        s.date,
                        s.fetched_at,
                        s.fetched_at,
                        blob,
                    )
                )
                band_rows += [(key, number) for key in set(advert_keys)]
                for key in advert_keys:  # later adverts of this batch meet this one
                    nearby.setdefault(key, []).append(number)
                if sig is not None:
                    candidates[number] = (cluster_id, sig)
                known[s.advert_id] = (cluster_id, s.fetched_at, s.fetched_at)
                placements[s.advert_id] = Placement(
                    cluster_id, s.fetched_at, s.fetched_at, joined=bool(found)
                )
            db.executemany(
                "INSERT INTO adverts (id, advert_id, doc_id, cluster_id, source, date, first_seen, "
                "last_seen, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                new_rows,
            )
            db.executemany("INSERT INTO bands (key, advert) VALUES (?, ?)", band_rows)
            db.executemany(
                "UPDATE adverts SET first_seen = ?, last_seen = ?, date = ?, source = ? WHERE advert_id = ?",
                seen_rows,
            )
            db.executemany(
                "INSERT OR IGNORE INTO dirty_clusters (cluster_id) VALUES (?)", [(c,) for c in dirty]
            )
        return placements

    @staticmethod
    def _known(
        db: sqlite3.Connection, advert_ids: list[str]
    ) -> dict[str, tuple[str, str | None, str | None]]:
        known = {}
        for part in _chunks(sorted(set(advert_ids))):
            rows = db.execute(KNOWN_QUERY.format(marks=_marks(part)), part)
            known.update({row[0]: (row[1], row[2], row[3]) for row in rows})
        return known

    @staticmethod
    def _nearby(db: sqlite3.Connection, keys: set[int]) -> dict[int, list[int]]:
        """Adverts (by row id) sharing each band key, at most PER_BAND per key."""
        nearby: dict[int, list[int]] = {}
        for part in _chunks(sorted(keys)):
            rows = db.execute(NEARBY_QUERY.format(marks=_marks(part)), [*part, PER_BAND])
            for key, number in rows:
                nearby.setdefault(key, []).append(number)
        return nearby

    @staticmethod
    def _signatures(db: sqlite3.Connection, numbers: set[int]) -> dict[int, tuple[str, np.ndarray]]:
        found = {}
        for part in _chunks(sorted(numbers)):
            rows = db.execute(SIGNATURES_QUERY.format(marks=_marks(part)), part)
            found.update({a: (c, np.frombuffer(blob, dtype=np.uint32)) for a, c, blob in rows if blob})
        return found

    def _best(self, sig: np.ndarray, candidates: list[tuple[str, np.ndarray]]) -> str | None:
        """The cluster of the most similar candidate at or above the threshold (ties: lowest id)."""
        best, best_score = None, self.threshold
        for cluster_id, other in candidates:
            score = similarity(sig, other)
            if score >= best_score and (best is None or score > best_score or cluster_id < best):
                best, best_score = cluster_id, score
        return best

    @staticmethod
    def _mark_dirty(db: sqlite3.Connection, cluster_id: str) -> None:
        db.execute("INSERT OR IGNORE INTO dirty_clusters (cluster_id) VALUES (?)", (cluster_id,))

    # ------------------------------------------------------------ reading clusters

    def stats(self, cluster_ids: Iterable[str]) -> dict[str, ClusterInfo]:
        """Current statistics of these clusters (computed from their members)."""
        wanted = sorted(set(cluster_ids))
        found: dict[str, ClusterInfo] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                marks = ",".join("?" * len(part))
                query = STATS_QUERY.format(marks=marks)
                rows = self._db.execute(query, part).fetchall()
                for cluster_id, size, first, last, sources in rows:
                    found[cluster_id] = ClusterInfo(
                        id=cluster_id,
                        size=size,
                        first_seen=first,
                        last_seen=last or None,
                        sources=tuple(sorted(set((sources or "").split(",")) - {""})),
                    )
        return found

    def members(self, cluster_id: str) -> list[str]:
        """Document ids of the cluster's adverts."""
        with self._lock:
            rows = self._db.execute(
                "SELECT doc_id FROM adverts WHERE cluster_id = ? ORDER BY doc_id", (cluster_id,)
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
        with self._transaction() as db:
            for advert_id in ids:
                found = db.execute(
                    "SELECT id, cluster_id, signature FROM adverts WHERE advert_id = ?", (advert_id,)
                )
                row = found.fetchone()
                if row is None:
                    continue
                number, cluster_id, blob = row
                if blob is not None:
                    keys = band_keys(np.frombuffer(blob, dtype=np.uint32), self.bands, self.rows)
                    db.executemany(
                        "DELETE FROM bands WHERE key = ? AND advert = ?", [(k, number) for k in keys]
                    )
                db.execute("DELETE FROM adverts WHERE id = ?", (number,))
                touched.add(cluster_id)
            remaining = {
                cluster_id
                for cluster_id in touched
                if db.execute("SELECT 1 FROM adverts WHERE cluster_id = ? LIMIT 1", (cluster_id,)).fetchone()
            }
            for cluster_id in touched - remaining:
                db.execute("DELETE FROM dirty_clusters WHERE cluster_id = ?", (cluster_id,))
            for cluster_id in remaining:
                self._mark_dirty(db, cluster_id)
        return remaining
