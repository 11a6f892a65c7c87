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
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import numpy as np

from indexer import bands as band_table
from indexer.cluster_stats import fresh_stats, read_stats
from indexer.document import ClusterInfo
from indexer.minhash import (
    BANDING,
    NUM_PERM,
    band_key_matrix,
    band_keys,
    lsh_bands,
    signatures,
    similarity,
)
from radar.sqlite import immediate_transaction, open_database

# Single link: one similar member is enough, so a band shared by a huge cluster costs no more.
PER_BAND = 8
CHUNK = 900  # bound parameters per statement, well under every SQLite's limit
T = TypeVar("T")

PAGE_SIZE = 16384
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
-- Clusters whose statistics changed after some members were indexed. Members numbered from
-- ``since`` on were placed after the last change and carry the new statistics already;
-- NULL: every member needs them.
CREATE TABLE IF NOT EXISTS dirty_clusters (cluster_id TEXT PRIMARY KEY, since INTEGER);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# Queries over a batch; {marks} becomes one "?" per value.
KNOWN_QUERY = "SELECT advert_id, cluster_id, first_seen, last_seen FROM adverts WHERE advert_id IN ({marks})"
# A later change moves ``since`` on; NULL (every member) stays NULL until the cluster is clean.
MARK_DIRTY = (
    "INSERT INTO dirty_clusters (cluster_id, since) VALUES (?, ?) ON CONFLICT (cluster_id) DO UPDATE SET "
    "since = CASE WHEN since IS NULL OR excluded.since IS NULL THEN NULL ELSE MAX(since, excluded.since) END"
)
SIZES_QUERY = "SELECT cluster_id, COUNT(*) FROM adverts WHERE cluster_id IN ({marks}) GROUP BY cluster_id"
SIGNATURES_QUERY = "SELECT id, cluster_id, signature FROM adverts WHERE id IN ({marks})"


class Sighting(NamedTuple):
    """What the store needs to know of one advert (a named tuple: the drain makes one per advert)."""

    advert_id: str
    doc_id: str
    source: str
    text: str
    date: str | None  # posted_at, else fetched_at (ISO, UTC)
    fetched_at: str | None
    # The MinHash of ``text`` if known already (the spool computes it at put time): b"" for text
    # without words; None: computed here.
    signature: bytes | None = None


class Placement(NamedTuple):
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
        self.threshold = threshold
        self.bands, self.rows = lsh_bands(threshold)
        self._lock = threading.Lock()
        # Large pages for a new file (an existing one keeps its own): rows of a few KB fit in one
        # page, and a batch's writes touch fewer pages (measured: a third less SQLite time).
        self._db = open_database(path, page_size=PAGE_SIZE)
        self._db.executescript(SCHEMA)
        if "since" not in {row[1] for row in self._db.execute("PRAGMA table_info(dirty_clusters)")}:
            self._db.execute("ALTER TABLE dirty_clusters ADD COLUMN since INTEGER")  # a store from before
        band_table.create(self._db)
        self._match_bands_to_threshold()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate_transaction(self._db, self._lock)

    def _match_bands_to_threshold(self) -> None:
        """A changed threshold changes the banding: re-band every stored signature once."""
        wanted = f"{self.bands}x{self.rows} {BANDING}"
        with self._transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'banding'").fetchone()
            if row is not None and row[0] == wanted:
                return
            rows = db.execute("SELECT id, signature FROM adverts WHERE signature IS NOT NULL").fetchall()
            band_table.replace_all(db, self._rebanded(rows))
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('banding', ?)", (wanted,))

    def _rebanded(self, rows: list[tuple[int, bytes]]) -> Iterator[list[tuple[int, int]]]:
        for start in range(0, len(rows), 10_000):
            part = rows[start : start + 10_000]
            stacked = np.stack([np.frombuffer(blob, dtype=np.uint32) for _, blob in part])
            keys = band_key_matrix(stacked, self.bands, self.rows).tolist()
            yield [(key, number) for (number, _), row in zip(part, keys, strict=True) for key in row]

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

        The whole batch costs a handful of SQL statements: known adverts, the adverts sharing
        any of the batch's band keys, and their signatures are read at once.

        A cluster is marked dirty when its statistics changed and it has members outside this
        batch: the batch's own documents are built afterwards from the new statistics (as
        ``indexer.prepare`` does), so only the members indexed earlier need updating.
        """
        sigs = self._signatures_of(sightings)  # outside the lock: the costly part
        matrix, keys = self._band_keys(sigs)
        placements: dict[str, Placement] = {}
        with self._transaction() as db:
            known = self._known(db, [s.advert_id for s in sightings])
            in_batch = Counter(cluster_id for cluster_id, _, _ in known.values())
            unseen = [
                of_advert
                for s, (_, of_advert) in zip(sightings, keys, strict=True)
                if s.advert_id not in known
            ]
            fresh = {key for of_advert in unseen for key in of_advert}
            nearby = defaultdict(list, band_table.nearby(db, fresh, PER_BAND))
            candidates = self._signatures(db, {number for numbers in nearby.values() for number in numbers})
            (next_id,) = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM adverts").fetchone()
            # Adverts numbered from here on get their documents built after this batch's changes.
            first_new = next_id
            new_rows: list[tuple[object, ...]] = []
            banded: list[tuple[int, int]] = []  # (row in the key matrix, advert number) of new adverts
            seen_rows: list[tuple[object, ...]] = []
            changed: set[str] = set()
            created: set[str] = set()
            for s, sig, (row, advert_keys) in zip(sightings, sigs, keys, strict=True):
                if s.advert_id in known:
                    # Seen before (a re-crawl or a retried drain): same cluster, seen times widened.
                    cluster_id, first, last = known[s.advert_id]
                    widened = (_min(first, s.fetched_at), _max(last, s.fetched_at))
                    if widened != (first, last):
                        changed.add(cluster_id)
                    known[s.advert_id] = (cluster_id, *widened)
                    seen_rows.append((*widened, s.date, s.source, s.advert_id))
                    placements[s.advert_id] = Placement(cluster_id, *widened, joined=False)
                    continue
                number, next_id = next_id, next_id + 1
                near = [n for key in advert_keys if key in nearby for n in nearby[key]]
                found = None
                if near and sig is not None:
                    found = self._best(sig, [candidates[n] for n in dict.fromkeys(near) if n in candidates])
                cluster_id = found or s.doc_id
                changed.add(cluster_id)
                if not found:
                    created.add(cluster_id)
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
                for key in advert_keys:  # later adverts of this batch meet this one
                    nearby[key].append(number)
                if sig is not None:
                    candidates[number] = (cluster_id, sig)
                    banded.append((row, number))
                known[s.advert_id] = (cluster_id, s.fetched_at, s.fetched_at)
                placements[s.advert_id] = Placement(
                    cluster_id, s.fetched_at, s.fetched_at, joined=bool(found)
                )
            sizes = self._sizes(db, changed)  # members before this batch
            dirty = [c for c, members in sizes.items() if members > in_batch[c]]
            db.executemany(
                "INSERT INTO adverts (id, advert_id, doc_id, cluster_id, source, date, first_seen, "
                "last_seen, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                new_rows,
            )
            band_table.add(db, band_table.key_rows(matrix, banded))
            db.executemany(
                "UPDATE adverts SET first_seen = ?, last_seen = ?, date = ?, source = ? WHERE advert_id = ?",
                seen_rows,
            )
            db.executemany(MARK_DIRTY, [(c, first_new) for c in dirty])
            if not with_stats:
                return placements, {}
            # Clusters created in this batch (and not an older cluster's id reused): all members here.
            newborn: dict[object, list[tuple[Any, ...]]] = {c: [] for c in created if not sizes.get(c)}
            for inserted in new_rows:
                if inserted[3] in newborn:
                    newborn[inserted[3]].append(inserted)
            stats = {str(cid): fresh_stats(str(cid), rows) for cid, rows in newborn.items()}
            others = {placement.cluster_id for placement in placements.values()} - stats.keys()
            stats.update(read_stats(db, others))
        return placements, stats

    @staticmethod
    def _signatures_of(sightings: Sequence[Sighting]) -> list[np.ndarray | None]:
        """Each sighting's signature: the one it brings, else computed (all missing ones at once)."""
        width = NUM_PERM * 4
        sigs: list[np.ndarray | None] = [None] * len(sightings)
        missing = []
        for n, s in enumerate(sightings):
            if s.signature is not None and len(s.signature) == width:
                sigs[n] = np.frombuffer(s.signature, dtype=np.uint32)
            elif s.signature != b"":  # b"": known to have no words
                missing.append(n)
        for n, sig in zip(missing, signatures([sightings[n].text for n in missing]), strict=True):
            sigs[n] = sig
        return sigs

    def _band_keys(self, sigs: list[np.ndarray | None]) -> tuple[np.ndarray, list[tuple[int, list[int]]]]:
        """The key matrix of the signatures present, and per sighting (its row, its keys)."""
        present = [sig for sig in sigs if sig is not None]
        if not present:
            return np.empty((0, self.bands), dtype=np.int64), [(-1, []) for _ in sigs]
        matrix = band_key_matrix(np.stack(present), self.bands, self.rows)
        rows = iter(enumerate(matrix.tolist()))
        return matrix, [next(rows) if sig is not None else (-1, []) for sig in sigs]

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
    def _sizes(db: sqlite3.Connection, cluster_ids: set[str]) -> dict[str, int]:
        """How many members these clusters have in the store."""
        sizes: dict[str, int] = {}
        for part in _chunks(sorted(cluster_ids)):
            sizes.update(db.execute(SIZES_QUERY.format(marks=_marks(part)), part).fetchall())
        return sizes

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
        db.execute(MARK_DIRTY, (cluster_id, None))  # every member

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
                    band_table.remove(db, [(key, number) for key in keys])
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
