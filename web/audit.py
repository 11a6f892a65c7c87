"""The audit log: who searched, viewed, pivoted, pinned and exported what, and when.

Police access to personal data must be accountable, so the log is append-only in two ways:
SQLite triggers refuse every UPDATE and DELETE on the table, and each row carries the
SHA-256 of its content chained to the previous row's hash, so a row changed or removed by
someone who got past the triggers (by editing the file) shows up in :meth:`AuditLog.verify`.
Rows are written with ``synchronous=FULL``: an entry that was acknowledged survives a crash.

Each commit waits for the disk (an fsync, several milliseconds), so requests that arrive while
one commit is under way are written together in the next (group commit): one thread writes
the entries of all waiting requests in one transaction, and each request returns only after
the transaction holding its entry was committed.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from web.store import SqliteStore

GENESIS = "0" * 64


class Action(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    SEARCH = "search"
    ADVERT = "advert"
    EVIDENCE = "evidence"
    PIVOT = "pivot"
    PIN = "pin"
    EXPORT = "export"
    EXPORT_REFUSED = "export_refused"
    TRENDS = "trends"
    SAVED_SEARCH = "saved_search"
    CONFIG = "config"
    AUDIT_VIEW = "audit_view"
    AUDIT_EXPORT = "audit_export"
    USER_ADD = "user_add"
    USER_CHANGE = "user_change"
    ADDRESS_UNLOCK = "address_unlock"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str  # ISO 8601, UTC
    user: str
    role: str
    action: str
    query: str
    results: int | None
    detail: str
    client: str
    prev_hash: str
    hash: str

    COLUMNS = ("id", "at", "user", "role", "action", "query", "results", "detail", "client", "hash")

    def row(self) -> list[object]:
        return [getattr(self, name) for name in self.COLUMNS]


@dataclass(frozen=True)
class AuditFilter:
    user: str = ""
    action: str = ""
    since: str = ""  # ISO date or time, compared as text with the UTC timestamps
    until: str = ""

    def where(self) -> tuple[str, list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        if self.user:
            clauses.append("user = ?")
            params.append(self.user.strip().lower())
        if self.action:
            clauses.append("action = ?")
            params.append(self.action)
        if self.since:
            clauses.append("at >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("at < ?")
            params.append(self.until)
        return (" AND ".join(clauses) or "1"), params


def entry_hash(prev_hash: str, fields: list[object]) -> str:
    body = json.dumps([prev_hash, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class AuditLog(SqliteStore):
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        user TEXT NOT NULL,
        role TEXT NOT NULL,
        action TEXT NOT NULL,
        query TEXT NOT NULL,
        results INTEGER,
        detail TEXT NOT NULL,
        client TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS audit_user ON audit (user, at);
    CREATE INDEX IF NOT EXISTS audit_action ON audit (action, at);
    CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be changed'); END;
    CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: rows cannot be deleted'); END;
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path, durable=True)
        self._waiting: list[_Pending] = []  # entries not yet taken into a transaction
        self._waiting_lock = threading.Lock()

    def record(
        self,
        *,
        user: str,
        role: str,
        action: Action,
        query: str = "",
        results: int | None = None,
        detail: str = "",
        client: str = "",
    ) -> int:
        """Append one entry and return its id, once it is on disk."""
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        entry = _Pending([at, user, role, action.value, query[:4000], results, detail[:2000], client])
        with self._waiting_lock:
            self._waiting.append(entry)
        # The first thread to get the store writes every entry waiting by then; the others find
        # theirs written when they get the store in turn.
        with self._lock:
            if not entry.done:
                self._write_waiting()
        if entry.error is not None:
            raise entry.error
        return entry.id

    def _write_waiting(self) -> None:
        with self._waiting_lock:
            batch, self._waiting = self._waiting, []
        try:
            with self.transaction() as db:
                # Read the chain's end inside the write transaction: another process may append too.
                last = db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
                prev = last[0] if last else GENESIS
                for entry in batch:
                    digest = entry_hash(prev, entry.fields)
                    cursor = db.execute(_INSERT, (*entry.fields, prev, digest))
                    entry.id, prev = int(cursor.lastrowid or 0), digest
        except BaseException as error:
            # Rolled back (or the commit failed): none of the batch is in the log; every waiter hears so.
            for entry in batch:
                entry.error = error
        finally:
            for entry in batch:
                entry.done = True

    def entries(
        self, where: AuditFilter = AuditFilter(), *, limit: int = 100, before: int | None = None
    ) -> list[AuditEntry]:
        """Newest first; ``before``: only entries with a smaller id (the next page)."""
        clause, params = where.where()
        if before is not None:
            clause += " AND id < ?"
            params.append(before)
        with self.reading() as db:
            rows = db.execute(
                f"SELECT {_SELECT} FROM audit WHERE {clause} ORDER BY id DESC LIMIT ?",  # noqa: S608 (fixed clauses)
                (*params, limit),
            ).fetchall()
        return [AuditEntry(*row) for row in rows]

    def iter_all(self, where: AuditFilter = AuditFilter(), *, batch: int = 1000) -> Iterator[AuditEntry]:
        """Every matching entry, oldest first (for the export)."""
        clause, params = where.where()
        after = 0
        while True:
            with self.reading() as db:
                rows = db.execute(
                    f"SELECT {_SELECT} FROM audit WHERE {clause} AND id > ? ORDER BY id LIMIT ?",  # noqa: S608
                    (*params, after, batch),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield AuditEntry(*row)
            after = rows[-1][0]

    def count(self, where: AuditFilter = AuditFilter()) -> int:
        clause, params = where.where()
        with self.reading() as db:
            return int(db.execute(f"SELECT COUNT(*) FROM audit WHERE {clause}", params).fetchone()[0])  # noqa: S608

    def verify(self) -> int | None:
        """The id of the first entry whose hash or chain does not hold, or None when all hold."""
        prev, expected_id = GENESIS, None
        for entry in self.iter_all():
            fields: list[object] = [entry.at, entry.user, entry.role, entry.action, entry.query,
                                    entry.results, entry.detail, entry.client]  # fmt: skip
            if entry.prev_hash != prev or entry.hash != entry_hash(prev, fields):
                return entry.id
            # AUTOINCREMENT never reuses ids, so a gap means a removed row.
            if expected_id is not None and entry.id != expected_id:
                return entry.id
            prev, expected_id = entry.hash, entry.id + 1
        # Rows removed from the end leave no gap; the table's sequence still remembers them.
        with self.reading() as db:
            seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
        last = (expected_id or 1) - 1
        if seq is not None and int(seq[0]) > last:
            return last + 1
        return None


class _Pending:
    """An entry on its way into the log, shared by the request waiting for it and the writer."""

    __slots__ = ("done", "error", "fields", "id")

    def __init__(self, fields: list[object]) -> None:
        self.fields = fields
        self.id = 0
        self.done = False
        self.error: BaseException | None = None


_INSERT = (
    "INSERT INTO audit (at, user, role, action, query, results, detail, client, prev_hash, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SELECT = "id, at, user, role, action, query, results, detail, client, prev_hash, hash"
