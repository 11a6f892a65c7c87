"""The spool: a durable local outbox between crawling and indexing (SQLite in WAL mode).

The crawl never waits for Elasticsearch and never loses an item because it is down: items
go into the spool, and the drain (``indexer.bulk``) takes them out only once Elasticsearch
acknowledged them. Writers and the drain may be different processes; SQLite's locking and a
busy timeout keep them apart.

API for the crawler's spool pipeline (one ``Spool`` per process)::

    from indexer.spool import Spool

    spool = Spool(settings.spool_path)      # creates the file and tables when missing
    spool.put(item)                          # item: a JSON-able mapping with a string "id"
    spool.put_many(items)                    # the same for many, in one transaction
    spool.close()

``put`` is idempotent by advert id: putting an id again replaces the waiting entry (the newest
version wins and goes to the back of the queue). An item without an ``id`` or with a value
JSON cannot hold raises ``RadarError(SPOOL_BAD_ITEM)`` naming the item. Dates may be
``datetime`` objects; they are stored as ISO 8601.

API for the drain: ``lease(n)`` hands out up to n entries (oldest first) for ``lease_seconds``;
then ``ack(entries)`` removes what Elasticsearch acknowledged, ``release(entries, error)``
gives entries back for a later attempt, and ``bury(entry, reason)`` moves an entry Elasticsearch
rejected to the dead-letter table. Every one of these matches on the entry's sequence number,
so an item replaced while its old version was in flight is never dropped by the old version's
acknowledgement. A drain that dies leaves its leases to expire; the entries are then handed out
again (re-indexing is idempotent, so nothing is doubled).

``counts()`` gives pending / leased / retrying / dead; ``dead_letters()`` lists rejected items
with their reasons; ``requeue()`` puts them back after the cause is fixed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from radar.errors import Code, RadarError

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

DEFAULT_LEASE_SECONDS = 300.0


@dataclass(frozen=True)
class SpoolEntry:
    advert_id: str
    seq: int
    item: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class DeadLetter:
    advert_id: str
    reason: str
    attempts: int
    failed_at: datetime
    item: dict[str, Any]


@dataclass(frozen=True)
class SpoolCounts:
    pending: int  # waiting to be handed out (includes entries waiting for a retry)
    leased: int  # handed to a drain, not yet acknowledged
    retrying: int  # pending entries that failed at least once
    dead: int  # rejected by Elasticsearch, in the dead-letter table

    def as_dict(self) -> dict[str, int]:
        return {"pending": self.pending, "leased": self.leased, "retrying": self.retrying, "dead": self.dead}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"a value of type {type(value).__name__} cannot be stored as JSON")


def encode_item(item: Mapping[str, Any]) -> tuple[str, str]:
    """(advert id, JSON text) of an item; raises RadarError(SPOOL_BAD_ITEM) with the reason."""
    advert_id = item.get("id")
    if not isinstance(advert_id, str) or not advert_id.strip():
        raise RadarError(
            Code.SPOOL_BAD_ITEM,
            f"cannot spool an item without an 'id' (a non-empty string); got id={advert_id!r} "
            f"from source {item.get('source')!r}, url {item.get('url')!r}",
        )
    try:
        text = json.dumps(dict(item), ensure_ascii=False, separators=(",", ":"), default=_json_default)
    except (TypeError, ValueError) as error:
        raise RadarError(Code.SPOOL_BAD_ITEM, f"cannot spool item {advert_id!r}: {error}") from error
    return advert_id, text


class Spool:
    """One SQLite spool file; safe to share between threads of one process."""

    def __init__(self, path: Path, *, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.path = path
        self.lease_seconds = lease_seconds
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # isolation_level=None: we open transactions ourselves (BEGIN IMMEDIATE takes the write lock
        # up front, so two processes never deadlock upgrading a read lock).
        self._db = sqlite3.connect(path, timeout=60.0, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: an acknowledged put survives a power cut, not only a crash of the process.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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

    def _next_seqs(self, db: sqlite3.Connection, count: int) -> int:
        """Reserve ``count`` sequence numbers; returns the first."""
        row = db.execute("UPDATE meta SET value = value + ? WHERE key = 'seq' RETURNING value", (count,))
        last: int = row.fetchone()[0]
        return last - count + 1

    # ------------------------------------------------------------ writers (the crawler)

    def put(self, item: Mapping[str, Any]) -> None:
        """Add an item, or replace the waiting entry with the same id."""
        self.put_many([item])

    def put_many(self, items: Iterable[Mapping[str, Any]]) -> int:
        """Add or replace many items in one transaction; returns how many."""
        encoded = [encode_item(item) for item in items]
        if not encoded:
            return 0
        now = time.time()
        with self._transaction() as db:
            first = self._next_seqs(db, len(encoded))
            db.executemany(
                "INSERT INTO entries (advert_id, seq, item, put_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (advert_id) DO UPDATE SET seq = excluded.seq, item = excluded.item, "
                "put_at = excluded.put_at, not_before = 0, lease = NULL",
                [(advert_id, first + n, text, now) for n, (advert_id, text) in enumerate(encoded)],
            )
        return len(encoded)

    # ------------------------------------------------------------ the drain

    def lease(self, limit: int) -> list[SpoolEntry]:
        """Hand out up to ``limit`` entries, oldest first, for ``lease_seconds``."""
        now = time.time()
        token = uuid.uuid4().hex
        with self._transaction() as db:
            rows = db.execute(
                "SELECT advert_id, seq, item, attempts FROM entries WHERE not_before <= ? "
                "ORDER BY seq LIMIT ?",
                (now, limit),
            ).fetchall()
            db.executemany(
                "UPDATE entries SET not_before = ?, lease = ? WHERE advert_id = ?",
                [(now + self.lease_seconds, token, row[0]) for row in rows],
            )
        return [SpoolEntry(row[0], row[1], json.loads(row[2]), row[3]) for row in rows]

    def ack(self, entries: Iterable[SpoolEntry]) -> int:
        """Remove entries Elasticsearch acknowledged (only the version that was sent)."""
        pairs = [(entry.advert_id, entry.seq) for entry in entries]
        if not pairs:
            return 0
        with self._transaction() as db:
            before = db.total_changes
            db.executemany("DELETE FROM entries WHERE advert_id = ? AND seq = ?", pairs)
            return db.total_changes - before

    def release(
        self, entries: Iterable[SpoolEntry], error: str, *, delay: float = 0.0, attempt: bool = True
    ) -> None:
        """Give entries back after ``delay`` seconds, recording why (``attempt``: it was a failed try)."""
        tried = 1 if attempt else 0
        rows = [(time.time() + delay, tried, error[:2000], entry.advert_id, entry.seq) for entry in entries]
        if not rows:
            return
        with self._transaction() as db:
            db.executemany(
                "UPDATE entries SET not_before = ?, lease = NULL, attempts = attempts + ?, last_error = ? "
                "WHERE advert_id = ? AND seq = ?",
                rows,
            )

    def bury(self, entries: Iterable[tuple[SpoolEntry, str]]) -> int:
        """Move rejected entries, each with its reason, to the dead-letter table."""
        now = time.time()
        rows = list(entries)
        if not rows:
            return 0
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO dead_letters (advert_id, seq, item, reason, attempts, failed_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (e.advert_id, e.seq, json.dumps(e.item, ensure_ascii=False), reason, e.attempts + 1, now)
                    for e, reason in rows
                ],
            )
            db.executemany(
                "DELETE FROM entries WHERE advert_id = ? AND seq = ?", [(e.advert_id, e.seq) for e, _ in rows]
            )
        return len(rows)

    # ------------------------------------------------------------ looking and repairing

    def counts(self) -> SpoolCounts:
        now = time.time()
        with self._lock:
            pending, leased, retrying = self._db.execute(
                "SELECT "
                "COALESCE(SUM(lease IS NULL OR not_before <= ?), 0), "
                "COALESCE(SUM(lease IS NOT NULL AND not_before > ?), 0), "
                "COALESCE(SUM(attempts > 0 AND (lease IS NULL OR not_before <= ?)), 0) FROM entries",
                (now, now, now),
            ).fetchone()
            (dead,) = self._db.execute("SELECT COUNT(*) FROM dead_letters").fetchone()
        return SpoolCounts(pending=pending, leased=leased, retrying=retrying, dead=dead)

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        with self._lock:
            rows = self._db.execute(
                "SELECT advert_id, reason, attempts, failed_at, item FROM dead_letters "
                "ORDER BY failed_at DESC, advert_id LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            DeadLetter(row[0], row[1], row[2], datetime.fromtimestamp(row[3], UTC), json.loads(row[4]))
            for row in rows
        ]

    def requeue(self, advert_ids: Sequence[str] | None = None) -> int:
        """Put dead letters (all, or these ids) back in the queue; a newer waiting version wins."""
        with self._transaction() as db:
            if advert_ids is None:
                rows = db.execute("SELECT advert_id, item FROM dead_letters").fetchall()
            else:
                marks = ",".join("?" * len(advert_ids))
                rows = db.execute(
                    f"SELECT advert_id, item FROM dead_letters WHERE advert_id IN ({marks})",  # noqa: S608 (only '?' marks)
                    list(advert_ids),
                ).fetchall()
            if rows:
                first = self._next_seqs(db, len(rows))
                db.executemany(
                    "INSERT OR IGNORE INTO entries (advert_id, seq, item, put_at) VALUES (?, ?, ?, ?)",
                    [(advert_id, first + n, item, time.time()) for n, (advert_id, item) in enumerate(rows)],
                )
                db.executemany("DELETE FROM dead_letters WHERE advert_id = ?", [(row[0],) for row in rows])
        return len(rows)
