"""Looking into the spool and repairing it: counts, the dead letters, requeueing them.

What ``smokkelradar index status`` and ``index dead-letters`` show and do; ``indexer.spool``'s
``counts()``, ``dead_letters()`` and ``requeue()`` call these with its connection (under its
lock, or inside its transaction for ``requeue``).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from indexer.spool_entry import DeadLetter, SpoolCounts
from indexer.spool_schema import next_seqs


def counts(db: sqlite3.Connection) -> SpoolCounts:
    now = time.time()
    # held: leased now (the last condition: a lease taken by a version from before the leases table)
    pending, leased, retrying = db.execute(
        "SELECT COALESCE(SUM(NOT held), 0), COALESCE(SUM(held), 0), "
        "COALESCE(SUM(tried AND NOT held), 0) "
        "FROM (SELECT e.attempts > 0 AS tried, (EXISTS (SELECT 1 FROM leases l WHERE "
        "l.advert_id = e.advert_id AND l.seq = e.seq AND l.until > ?) "
        "OR (e.lease IS NOT NULL AND e.not_before > ?)) AS held FROM entries e)",
        (now, now),
    ).fetchone()
    (dead,) = db.execute("SELECT COUNT(*) FROM dead_letters").fetchone()
    return SpoolCounts(pending=pending, leased=leased, retrying=retrying, dead=dead)


def dead_letters(db: sqlite3.Connection, limit: int) -> list[DeadLetter]:
    rows = db.execute(
        "SELECT advert_id, reason, attempts, failed_at, item FROM dead_letters "
        "ORDER BY failed_at DESC, advert_id LIMIT ?",
        (limit,),
    ).fetchall()
    return [
        DeadLetter(row[0], row[1], row[2], datetime.fromtimestamp(row[3], UTC), json.loads(row[4]))
        for row in rows
    ]


def requeue(db: sqlite3.Connection, advert_ids: Sequence[str] | None) -> int:
    """Dead letters (all, or these ids) back in the queue; a newer waiting version wins.

    Runs inside the caller's transaction.
    """
    if advert_ids is None:
        rows = db.execute("SELECT advert_id, item FROM dead_letters").fetchall()
    else:
        marks = ",".join("?" * len(advert_ids))
        rows = db.execute(
            f"SELECT advert_id, item FROM dead_letters WHERE advert_id IN ({marks})",  # noqa: S608 (only '?' marks)
            list(advert_ids),
        ).fetchall()
    if rows:
        first = next_seqs(db, len(rows))
        db.executemany(
            "INSERT OR IGNORE INTO entries (advert_id, seq, item, put_at) VALUES (?, ?, ?, ?)",
            [(advert_id, first + n, item, time.time()) for n, (advert_id, item) in enumerate(rows)],
        )
        db.executemany("DELETE FROM dead_letters WHERE advert_id = ?", [(row[0],) for row in rows])
    return len(rows)
