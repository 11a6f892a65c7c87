"""The spool's SQLite file: its tables, and bringing a file from an older version up to date.

``indexer.spool`` opens the file through :func:`open_spool` and owns the connection from then on.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from radar.sqlite import open_database

PAGE_SIZE = 16384
SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    advert_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    item TEXT NOT NULL,
    put_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    not_before REAL NOT NULL DEFAULT 0,
    lease TEXT
);
CREATE INDEX IF NOT EXISTS entries_by_seq ON entries (seq);
-- Entries handed to a drain, by version (seq). Kept apart from the entries, which are large
-- (item, staged document), so that leasing writes small rows. A lease held past ``until`` is
-- void: the drain that took it died, and the entry is handed out again.
CREATE TABLE IF NOT EXISTS leases (
    advert_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    until REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letters (
    advert_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    item TEXT NOT NULL,
    reason TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    failed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('seq', 0);
"""

# Staged at put time (indexer.staging); added to spools from before, NULL where nothing was staged.
STAGED_COLUMNS = {
    "signature": "BLOB",  # MinHash of title + text; empty: text without words
    "document": "BLOB",  # the serialized document body
    "document_format": "TEXT",
    "source": "TEXT",
    "posted": "TEXT",
    "fetched": "TEXT",
}


def open_spool(path: Path) -> sqlite3.Connection:
    """The spool's connection, tables created or upgraded."""
    # Large pages for a new file (an existing one keeps its own): rows of a few KB fit in one
    # page, and a batch's writes touch fewer pages (measured: a third less SQLite time).
    # FULL: an acknowledged put survives a power cut, not only a crash of the process.
    db = open_database(path, synchronous="FULL", page_size=PAGE_SIZE)
    # Debian's SQLite zeroes every deleted row by default (SECURE_DELETE), which for the few-KB
    # entries the drain acknowledges means writing pages a second time (measured: ack 12 -> 7 µs
    # per entry). FAST still zeroes deleted content on the pages a delete writes anyway.
    db.execute("PRAGMA secure_delete=FAST")
    db.executescript(SCHEMA)
    columns = {row[1] for row in db.execute("PRAGMA table_info(entries)")}
    for column, kind in STAGED_COLUMNS.items():
        if column not in columns:  # a spool from before staging
            db.execute(f"ALTER TABLE entries ADD COLUMN {column} {kind}")
    return db


def next_seqs(db: sqlite3.Connection, count: int) -> int:
    """Reserve ``count`` sequence numbers (inside the caller's transaction); returns the first."""
    row = db.execute("UPDATE meta SET value = value + ? WHERE key = 'seq' RETURNING value", (count,))
    last: int = row.fetchone()[0]
    return last - count + 1
