"""The near-duplicate store's SQLite file: its tables and the reads a batch makes at once.

``indexer.dedup`` owns the connection and its transactions; the functions here run inside
them. Every read takes a whole batch's values, in chunks of ``CHUNK`` bound parameters, so a
batch of thousands of adverts costs a handful of statements rather than one per advert.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from indexer import bands as band_table
from radar.sqlite import open_database

CHUNK = 900  # bound parameters per statement, well under every SQLite's limit
PAGE_SIZE = 16384
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
-- Clusters whose statistics changed after some members were indexed. Members numbered from
-- ``since`` on were placed after the last change and carry the new statistics already;
-- NULL: every member needs them.
CREATE TABLE IF NOT EXISTS dirty_clusters (cluster_id TEXT PRIMARY KEY, since INTEGER);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

INSERT_ADVERT = (
    "INSERT INTO adverts (id, advert_id, doc_id, cluster_id, source, date, first_seen, last_seen, "
    "signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_SEEN = "UPDATE adverts SET first_seen = ?, last_seen = ?, date = ?, source = ? WHERE advert_id = ?"
# A later change moves ``since`` on; NULL (every member) stays NULL until the cluster is clean.
MARK_DIRTY = (
    "INSERT INTO dirty_clusters (cluster_id, since) VALUES (?, ?) ON CONFLICT (cluster_id) DO UPDATE SET "
    "since = CASE WHEN since IS NULL OR excluded.since IS NULL THEN NULL ELSE MAX(since, excluded.since) END"
)
# Queries over a batch; {marks} becomes one "?" per value.
KNOWN_QUERY = "SELECT advert_id, cluster_id, first_seen, last_seen FROM adverts WHERE advert_id IN ({marks})"
SIZES_QUERY = "SELECT cluster_id, COUNT(*) FROM adverts WHERE cluster_id IN ({marks}) GROUP BY cluster_id"
SIGNATURES_QUERY = "SELECT id, cluster_id, signature FROM adverts WHERE id IN ({marks})"

# advert id -> (cluster id, first seen, last seen)
Known = dict[str, tuple[str, str | None, str | None]]


def open_store(path: Path) -> sqlite3.Connection:
    """The store's connection, tables created (or brought up to date) when missing."""
    # Large pages for a new file (an existing one keeps its own): rows of a few KB fit in one
    # page, and a batch's writes touch fewer pages (measured: a third less SQLite time).
    db = open_database(path, page_size=PAGE_SIZE)
    # Not zeroing every deleted row twice (see indexer.spool_schema): the band tables' merges
    # delete a whole table of keys at a time.
    db.execute("PRAGMA secure_delete=FAST")
    db.executescript(SCHEMA)
    if "since" not in {row[1] for row in db.execute("PRAGMA table_info(dirty_clusters)")}:
        db.execute("ALTER TABLE dirty_clusters ADD COLUMN since INTEGER")  # a store from before
    band_table.create(db)
    return db


def _chunks(values: Sequence[T]) -> Iterator[list[T]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def known(db: sqlite3.Connection, advert_ids: list[str]) -> Known:
    """The adverts of the batch the store has placed before."""
    found: Known = {}
    for part in _chunks(sorted(set(advert_ids))):
        rows = db.execute(KNOWN_QUERY.format(marks=_marks(part)), part)
        found.update({row[0]: (row[1], row[2], row[3]) for row in rows})
    return found


def sizes(db: sqlite3.Connection, cluster_ids: set[str]) -> dict[str, int]:
    """How many members these clusters have in the store."""
    found: dict[str, int] = {}
    for part in _chunks(sorted(cluster_ids)):
        found.update(db.execute(SIZES_QUERY.format(marks=_marks(part)), part).fetchall())
    return found


def signatures(db: sqlite3.Connection, numbers: set[int]) -> dict[int, tuple[str, np.ndarray]]:
    """Advert number -> (its cluster, its MinHash) for the adverts with a signature."""
    found = {}
    for part in _chunks(sorted(numbers)):
        rows = db.execute(SIGNATURES_QUERY.format(marks=_marks(part)), part)
        found.update({a: (c, np.frombuffer(blob, dtype=np.uint32)) for a, c, blob in rows if blob})
    return found


def next_number(db: sqlite3.Connection) -> int:
    """The number the next new advert gets (``adverts.id``)."""
    (number,) = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM adverts").fetchone()
    return int(number)
