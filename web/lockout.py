"""Counting failed logins, per account name and per client address, in the accounts file.

Two kinds of guessing are slowed down: many passwords against one name (the name is locked
after ``max_failures`` in a row) and one address trying many names (the address is locked
after its own, higher limit). A locked name refuses even the right password; a locked
address is refused before any password is checked.

Every attempt is counted *before* its password is checked, in the same transaction that
checks the locks, and given back when the password was right. So attempts sent at the same
moment, to one worker process or to several, cannot slip past a limit while their passwords
are being hashed. The counters live in SQLite so every worker sees the same numbers.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS login_failures (
    name TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure REAL NOT NULL,
    locked_until REAL
);
CREATE TABLE IF NOT EXISTS login_failures_by_address (
    address TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure REAL NOT NULL,
    locked_until REAL
);
"""


@dataclass(frozen=True)
class Counter:
    """One kind of counter: its table, key column and limit. Failures further apart than
    ``window_s``, or after a lock ran out, start a fresh count."""

    table: str  # fixed names from this module, never user input
    key: str
    limit: int
    window_s: float

    def locked_until(self, db: sqlite3.Connection, value: str, now: float) -> float | None:
        row = db.execute(
            f"SELECT locked_until FROM {self.table} WHERE {self.key} = ?",  # noqa: S608 (fixed names)
            (value,),
        ).fetchone()
        return row[0] if row is not None and row[0] is not None and row[0] > now else None

    def count(self, db: sqlite3.Connection, value: str, now: float) -> float | None:
        """Count one attempt; returns the end of the lock it caused, if it caused one."""
        row = db.execute(
            f"SELECT failures, locked_until, last_failure FROM {self.table} WHERE {self.key} = ?",  # noqa: S608
            (value,),
        ).fetchone()
        stale = row is None or (row[1] is not None and row[1] <= now) or now - row[2] > self.window_s
        failures = 1 if stale else row[0] + 1
        locked = now + self.window_s if failures >= self.limit else None
        db.execute(
            f"INSERT INTO {self.table} ({self.key}, failures, last_failure, locked_until) "  # noqa: S608
            "VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET failures = excluded.failures, "
            "last_failure = excluded.last_failure, locked_until = excluded.locked_until",
            (value, failures, now, locked),
        )
        return locked

    def give_back(self, db: sqlite3.Connection, value: str) -> None:
        """Undo one counted attempt (its password was right); a lock it caused is lifted."""
        db.execute(
            f"UPDATE {self.table} SET failures = MAX(failures - 1, 0), "  # noqa: S608
            "locked_until = CASE WHEN failures - 1 >= ? THEN locked_until END "
            f"WHERE {self.key} = ?",
            (self.limit, value),
        )

    def locked(self, db: sqlite3.Connection, now: float) -> list[tuple[str, int, float]]:
        """Every key locked at ``now``: (key, failures, locked until), the lock ending soonest first."""
        rows = db.execute(
            f"SELECT {self.key}, failures, locked_until FROM {self.table} "  # noqa: S608 (fixed names)
            "WHERE locked_until > ? ORDER BY locked_until",
            (now,),
        ).fetchall()
        return [(str(key), int(failures), float(until)) for key, failures, until in rows]

    def clear(self, db: sqlite3.Connection, value: str) -> None:
        db.execute(f"DELETE FROM {self.table} WHERE {self.key} = ?", (value,))  # noqa: S608


def name_counter(limit: int, window_s: float) -> Counter:
    return Counter("login_failures", "name", limit, window_s)


def address_counter(limit: int, window_s: float) -> Counter:
    return Counter("login_failures_by_address", "address", limit, window_s)
