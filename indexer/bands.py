"""The LSH band keys of the near-duplicate store, in two SQLite tables so that adding stays cheap.

Band keys are hashes, so the keys of each new advert land on random pages of a key-ordered
table: once the table is larger than a batch, every batch rewrites about one page per key
(nine per advert) at its commit, and the cost per advert grows with the store. New keys
therefore go to a small table, ``bands_recent``; when it holds a quarter as many rows as the
large one (at least ``MERGE_MIN_ROWS``), it is merged into ``bands`` in key order, which writes
each page of ``bands`` at most once. Lookups read both. Both tables are clustered on
``(key, advert)`` with integer advert numbers (``adverts.id``), which keeps them small.

Every function here runs inside the caller's transaction (``indexer.dedup``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

SCHEMA = """
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL,
    advert INTEGER NOT NULL,
    PRIMARY KEY (key, advert)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bands_recent (
    key INTEGER NOT NULL,
    advert INTEGER NOT NULL,
    PRIMARY KEY (key, advert)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS band_counts (tier TEXT PRIMARY KEY, rows INTEGER NOT NULL);
"""

MERGE_MIN_ROWS = 200_000
# Keys per lookup: each is bound twice. Older SQLites allow 999 parameters, newer ones 32766 or
# more; fewer, larger lookups cost less, so the connection's own limit decides.
MAX_CHUNK = 8000

# At most ``per_key`` adverts per key: one similar member is enough to join a cluster (single
# link), so a band shared by a huge cluster costs no more than any other.
NEARBY_QUERY = (
    "SELECT key, advert FROM (SELECT key, advert, ROW_NUMBER() OVER (PARTITION BY key) AS n FROM ("
    "SELECT key, advert FROM bands WHERE key IN ({marks}) UNION ALL "
    "SELECT key, advert FROM bands_recent WHERE key IN ({marks}))) WHERE n <= ?"
)


def create(db: sqlite3.Connection) -> None:
    db.executescript(SCHEMA)


def _count(db: sqlite3.Connection, tier: str) -> int:
    row = db.execute("SELECT rows FROM band_counts WHERE tier = ?", (tier,)).fetchone()
    if row is not None:
        return int(row[0])
    # A store from before the counts were kept: count once.
    table = "bands" if tier == "main" else "bands_recent"
    (rows,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # noqa: S608 (one of two names)
    _set_count(db, tier, rows)
    return int(rows)


def _set_count(db: sqlite3.Connection, tier: str, rows: int) -> None:
    db.execute("INSERT OR REPLACE INTO band_counts (tier, rows) VALUES (?, ?)", (tier, rows))


def add(db: sqlite3.Connection, rows: list[tuple[int, int]]) -> None:
    """Store ``(key, advert)`` rows; merges the recent table into the large one when it is due."""
    if not rows:
        return
    rows.sort()  # in key order, each page of the recent table is visited once per batch
    db.executemany("INSERT OR IGNORE INTO bands_recent (key, advert) VALUES (?, ?)", rows)
    recent = _count(db, "recent") + len(rows)
    main = _count(db, "main")
    if recent < max(MERGE_MIN_ROWS, main // 4):
        _set_count(db, "recent", recent)
        return
    before = db.total_changes
    db.execute("INSERT OR IGNORE INTO bands (key, advert) SELECT key, advert FROM bands_recent")
    merged = db.total_changes - before
    db.execute("DELETE FROM bands_recent")
    _set_count(db, "recent", 0)
    _set_count(db, "main", main + merged)


def key_rows(matrix: np.ndarray, banded: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Rows for :func:`add`: ``(key, advert number)`` in key order, from a matrix of band keys
    (one row per signature) and ``banded``, the (matrix row, advert number) of each advert."""
    if not banded:
        return []
    rows, numbers = zip(*banded, strict=True)
    keys = matrix[list(rows)]
    flat = keys.ravel()
    owners = np.repeat(np.array(numbers, dtype=np.int64), keys.shape[1])
    order = np.argsort(flat, kind="stable")
    return list(zip(flat[order].tolist(), owners[order].tolist(), strict=True))


def nearby(db: sqlite3.Connection, keys: Iterable[int], per_key: int) -> dict[int, list[int]]:
    """Advert numbers sharing each key, at most ``per_key`` per key."""
    found: dict[int, list[int]] = {}
    chunk = max(1, min(MAX_CHUNK, (db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - 1) // 2))
    for part in _chunks(sorted(set(keys)), chunk):
        marks = ",".join("?" * len(part))
        for key, number in db.execute(NEARBY_QUERY.format(marks=marks), [*part, *part, per_key]):
            found.setdefault(key, []).append(number)
    return found


def remove(db: sqlite3.Connection, rows: Sequence[tuple[int, int]]) -> None:
    """Delete ``(key, advert)`` rows from whichever table holds them."""
    db.executemany("DELETE FROM bands WHERE key = ? AND advert = ?", rows)
    db.executemany("DELETE FROM bands_recent WHERE key = ? AND advert = ?", rows)


def replace_all(db: sqlite3.Connection, parts: Iterable[list[tuple[int, int]]]) -> None:
    """Drop every key and store these instead (a re-banding), part by part, in the large table."""
    db.execute("DELETE FROM bands")
    db.execute("DELETE FROM bands_recent")
    stored = 0
    for rows in parts:
        rows.sort()
        before = db.total_changes
        db.executemany("INSERT OR IGNORE INTO bands (key, advert) VALUES (?, ?)", rows)
        stored += db.total_changes - before
    _set_count(db, "main", stored)
    _set_count(db, "recent", 0)


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
