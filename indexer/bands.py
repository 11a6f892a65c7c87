"""The LSH band keys of the near-duplicate store: sorted segments, numpy arrays in memory, blobs on disk.

Finding the adverts that share a band key is the near-duplicate store's most frequent
question (nine keys per advert), and adding keys its most frequent write. In SQLite, with one
``(key, advert)`` row per key, that cost the drain about 12 µs per advert, beside
Elasticsearch on the same cores. So the keys live in *segments*: two aligned numpy arrays
(keys sorted, and the advert number of each key), held in memory and stored as one SQLite
row of two blobs each. A batch adds one segment (one row written); lookups are binary
searches of the batch's keys in each segment (``numpy.searchsorted``). A segment no larger than
the one after it is merged with it, as a binary counter carries: there are at most about
log2(batches) segments, and each key is rewritten about as many times.

The SQLite rows are the truth; the arrays are a copy. :meth:`BandIndex.sync`, called at the
start of every transaction that reads or writes keys, loads the rows another process added
and drops those it merged away, so two processes sharing a store file never miss each
other's keys. Memory: 16 bytes per key (144 bytes per advert at nine bands).

Every method that takes a connection runs inside the caller's transaction (``indexer.dedup``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

SCHEMA = """
CREATE TABLE IF NOT EXISTS band_segments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a copy knows a row by its id
    keys BLOB NOT NULL,     -- int64, sorted
    adverts BLOB NOT NULL   -- int64, the advert number (adverts.id) of each key
);
DROP TABLE IF EXISTS bands;
DROP TABLE IF EXISTS bands_recent;
DROP TABLE IF EXISTS band_counts;
"""

_I64 = np.dtype("<i8")


@dataclass(frozen=True)
class Segment:
    id: int
    keys: np.ndarray  # sorted; equal keys in ascending advert order
    adverts: np.ndarray

    def __len__(self) -> int:
        return len(self.keys)


def create(db: sqlite3.Connection) -> None:
    """The segments table; the row-per-key tables of older stores are dropped (the store re-bands)."""
    db.executescript(SCHEMA)


def sorted_segment(keys: np.ndarray, adverts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys in order; for equal keys, the adverts in the order given (a stable sort)."""
    order = np.argsort(keys, kind="stable")
    return np.ascontiguousarray(keys[order], dtype=_I64), np.ascontiguousarray(adverts[order], dtype=_I64)


def key_rows(matrix: np.ndarray, banded: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """A segment's arrays from a matrix of band keys (one row per signature) and ``banded``,
    the (matrix row, advert number) of each advert to add."""
    if not banded:
        return np.empty(0, dtype=_I64), np.empty(0, dtype=_I64)
    rows, numbers = zip(*banded, strict=True)
    keys = matrix[list(rows)]
    owners = np.repeat(np.array(numbers, dtype=_I64), keys.shape[1])
    return sorted_segment(keys.ravel(), owners)


class BandIndex:
    """The band keys of one store: its segments in memory, oldest first, kept equal to the rows."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []

    def reset(self) -> None:
        """Forget the copy (after a rolled-back transaction): the next :meth:`sync` loads every row."""
        self.segments = []

    # ------------------------------------------------------------ keeping up with the rows

    def sync(self, db: sqlite3.Connection) -> None:
        """Load the rows added since (by another process), forget the rows gone (merged there)."""
        ids = [row[0] for row in db.execute("SELECT id FROM band_segments ORDER BY id")]
        held = {segment.id for segment in self.segments}
        if ids == [segment.id for segment in self.segments]:
            return
        wanted = set(ids)
        kept = [segment for segment in self.segments if segment.id in wanted]
        new = [number for number in ids if number not in held]
        for part in range(0, len(new), 100):
            marks = ",".join("?" * len(new[part : part + 100]))
            rows = db.execute(
                f"SELECT id, keys, adverts FROM band_segments WHERE id IN ({marks})",  # noqa: S608 (marks only)
                new[part : part + 100],
            )
            kept.extend(
                Segment(number, np.frombuffer(keys, dtype=_I64), np.frombuffer(adverts, dtype=_I64))
                for number, keys, adverts in rows
            )
        self.segments = sorted(kept, key=lambda segment: segment.id)

    def _write(self, db: sqlite3.Connection, keys: np.ndarray, adverts: np.ndarray) -> Segment:
        cursor = db.execute(
            "INSERT INTO band_segments (keys, adverts) VALUES (?, ?)", (keys.tobytes(), adverts.tobytes())
        )
        return Segment(int(cursor.lastrowid or 0), keys, adverts)

    def _drop(self, db: sqlite3.Connection, segments: Iterable[Segment]) -> None:
        db.executemany("DELETE FROM band_segments WHERE id = ?", [(segment.id,) for segment in segments])

    # ------------------------------------------------------------ changing

    def add(self, db: sqlite3.Connection, keys: np.ndarray, adverts: np.ndarray) -> None:
        """Store a segment (``key_rows``' arrays); merges segments of about the same size."""
        if len(keys) == 0:
            return
        self.segments.append(self._write(db, keys, adverts))
        # A binary counter's carry: few segments to search, each key rewritten O(log n) times.
        while len(self.segments) >= 2 and len(self.segments[-2]) <= len(self.segments[-1]):
            older, newer = self.segments[-2], self.segments[-1]
            merged = sorted_segment(
                np.concatenate([older.keys, newer.keys]), np.concatenate([older.adverts, newer.adverts])
            )
            self._drop(db, (older, newer))
            self.segments[-2:] = [self._write(db, *merged)]

    def remove(self, db: sqlite3.Connection, adverts: Iterable[int]) -> None:
        """Drop every key of these adverts (the segments holding any are rewritten without them)."""
        gone = np.array(sorted(set(adverts)), dtype=_I64)
        if len(gone) == 0:
            return
        for n, segment in enumerate(self.segments):
            keep = ~np.isin(segment.adverts, gone)
            if keep.all():
                continue
            self._drop(db, (segment,))
            self.segments[n] = self._write(db, segment.keys[keep].copy(), segment.adverts[keep].copy())
        self.segments.sort(key=lambda segment: segment.id)

    def replace_all(self, db: sqlite3.Connection, parts: Iterable[tuple[np.ndarray, np.ndarray]]) -> None:
        """Drop every key and store these instead (a re-banding), part by part."""
        db.execute("DELETE FROM band_segments")
        self.segments = []
        for keys, adverts in parts:
            self.add(db, *sorted_segment(keys, adverts))

    # ------------------------------------------------------------ reading

    def nearby(self, keys: np.ndarray, per_key: int) -> dict[int, list[int]]:
        """Advert numbers sharing each of ``keys`` (sorted, distinct), at most ``per_key`` per key
        (oldest segments first)."""
        wanted = np.asarray(keys, dtype=_I64)
        found: dict[int, list[int]] = {}
        if len(wanted) == 0:
            return found
        for segment in self.segments:
            stored = segment.keys
            if len(stored) == 0:
                continue
            at = np.searchsorted(stored, wanted)
            hits = np.flatnonzero(stored[np.minimum(at, len(stored) - 1)] == wanted)
            for hit in hits.tolist():  # few: most keys of a new advert are new
                key, start = int(wanted[hit]), int(at[hit])
                have = found.setdefault(key, [])
                room = per_key - len(have)
                if room <= 0:
                    continue
                end = start + int(np.searchsorted(stored[start : start + room], key, side="right"))
                have.extend(segment.adverts[start:end].tolist())
        return found

    def __len__(self) -> int:
        return sum(len(segment) for segment in self.segments)
