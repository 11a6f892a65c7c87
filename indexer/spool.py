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

``put`` also stages each item (``indexer.staging``): its MinHash signature and its document
body, so the drain, the part that competes with Elasticsearch for the CPU, neither computes
them nor parses the item. An entry without them (a spool from before, a requeued dead letter,
an item that cannot become a document, another code version) is prepared by the drain from
the item as before. A leased entry parses its item only when asked (``SpoolEntry.item``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from indexer import spool_admin
from indexer.spool_entry import DeadLetter, SpoolCounts, SpoolEntry, encode_item, encode_item_utf8
from indexer.spool_schema import next_seqs, open_spool
from indexer.staging import Staged, signature_blobs, stage
from radar.sqlite import immediate_transaction

__all__ = ["DeadLetter", "Spool", "SpoolCounts", "SpoolEntry", "encode_item"]

DEFAULT_LEASE_SECONDS = 300.0


class Spool:
    """One SQLite spool file; safe to share between threads of one process."""

    def __init__(self, path: Path, *, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.path = path
        self.lease_seconds = lease_seconds
        self._lock = threading.Lock()
        self._db = open_spool(path)  # tables and page size: indexer.spool_schema
        # An item's JSON goes in as the UTF-8 bytes it was written as, stored as TEXT by CAST (the
        # same bytes SQLite would make of the str): decoding it first and SQLite encoding it again
        # cost ≈5 µs per advert. Only in a UTF-8 database, which every spool is unless made otherwise.
        utf8 = self._db.execute("PRAGMA encoding").fetchone()[0] == "UTF-8"
        self._item_value = "CAST(? AS TEXT)" if utf8 else "?"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate_transaction(self._db, self._lock)

    # ------------------------------------------------------------ writers (the crawler)

    def put(self, item: Mapping[str, Any]) -> None:
        """Add an item, or replace the waiting entry with the same id."""
        self.put_many([item])

    def put_many(self, items: Iterable[Mapping[str, Any]]) -> int:
        """Add or replace many items in one transaction; returns how many."""
        listed = list(items)
        if self._item_value == "?":
            encoded: list[tuple[str, str | bytes]] = [encode_item(item) for item in listed]
        else:
            encoded = [encode_item_utf8(item) for item in listed]
        if not encoded:
            return 0
        rows = [
            (advert_id, text, blob, *_staged_columns(stage(item)))
            for (advert_id, text), item, blob in zip(encoded, listed, signature_blobs(listed), strict=True)
        ]
        now = time.time()
        with self._transaction() as db:
            first = next_seqs(db, len(rows))
            db.executemany(
                "INSERT INTO entries (advert_id, seq, item, put_at, signature, document, document_format, "  # noqa: S608 (one of two constant placeholders, never data)
                f"source, posted, fetched) VALUES (?, ?, {self._item_value}, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (advert_id) DO UPDATE SET seq = excluded.seq, item = excluded.item, "
                "put_at = excluded.put_at, not_before = 0, lease = NULL, signature = excluded.signature, "
                "document = excluded.document, document_format = excluded.document_format, "
                "source = excluded.source, posted = excluded.posted, fetched = excluded.fetched",
                [(row[0], first + n, row[1], now, *row[2:]) for n, row in enumerate(rows)],
            )
        return len(rows)

    # ------------------------------------------------------------ the drain

    def lease(self, limit: int) -> list[SpoolEntry]:
        """Hand out up to ``limit`` entries, oldest first, for ``lease_seconds``."""
        now = time.time()
        with self._transaction() as db:
            db.execute("DELETE FROM leases WHERE until <= ?", (now,))
            rows = db.execute(
                # The item as bytes: decoding it to text is left to the few entries that need it.
                "SELECT advert_id, seq, CAST(item AS BLOB), attempts, signature, document, document_format, "
                "source, posted, fetched FROM entries e WHERE not_before <= ? AND NOT EXISTS "
                "(SELECT 1 FROM leases l WHERE l.advert_id = e.advert_id AND l.seq = e.seq) "
                "ORDER BY seq LIMIT ?",
                (now, limit),
            ).fetchall()
            db.executemany(
                "INSERT OR REPLACE INTO leases (advert_id, seq, until) VALUES (?, ?, ?)",
                [(row[0], row[1], now + self.lease_seconds) for row in rows],
            )
        return [
            SpoolEntry(
                row[0],
                row[1],
                attempts=row[3],
                signature=row[4],
                text=row[2],
                staged=None if row[5] is None else Staged(row[6], row[5], row[7], row[8], row[9]),
            )
            for row in rows
        ]

    def ack(self, entries: Iterable[SpoolEntry]) -> int:
        """Remove entries Elasticsearch acknowledged (only the version that was sent)."""
        pairs = [(entry.advert_id, entry.seq) for entry in entries]
        if not pairs:
            return 0
        with self._transaction() as db:
            before = db.total_changes
            db.executemany("DELETE FROM entries WHERE advert_id = ? AND seq = ?", pairs)
            removed = db.total_changes - before
            db.executemany("DELETE FROM leases WHERE advert_id = ? AND seq = ?", pairs)
            return removed

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
            db.executemany("DELETE FROM leases WHERE advert_id = ? AND seq = ?", [row[3:] for row in rows])

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
                [(e.advert_id, e.seq, e.stored(), reason, e.attempts + 1, now) for e, reason in rows],
            )
            pairs = [(e.advert_id, e.seq) for e, _ in rows]
            db.executemany("DELETE FROM entries WHERE advert_id = ? AND seq = ?", pairs)
            db.executemany("DELETE FROM leases WHERE advert_id = ? AND seq = ?", pairs)
        return len(rows)

    # ------------------------------------------------------------ looking and repairing

    def counts(self) -> SpoolCounts:
        with self._lock:
            return spool_admin.counts(self._db)

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        with self._lock:
            return spool_admin.dead_letters(self._db, limit)

    def requeue(self, advert_ids: Sequence[str] | None = None) -> int:
        """Put dead letters (all, or these ids) back in the queue; a newer waiting version wins."""
        with self._transaction() as db:
            return spool_admin.requeue(db, advert_ids)


def _staged_columns(
    staged: Staged | None,
) -> tuple[bytes | None, str | None, str | None, str | None, str | None]:
    if staged is None:
        return None, None, None, None, None
    return staged.body, staged.format, staged.source, staged.posted, staged.fetched
