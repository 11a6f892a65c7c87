"""The alert ledger: which advert clusters matched which saved search, and every mail sent about them.

One SQLite file under the state folder (WAL mode). Two promises rest on it:

* **never twice**: ``matches`` has the primary key (saved search, near-duplicate cluster), so an
  advert, a re-index of it or any repost in its cluster is recorded once per saved search and
  can only ever be put in one mail;
* **never lost**: a mail is written here with its Message-ID, recipients and full bytes *before*
  it goes to the SMTP server (``pending``), marked ``sending`` for the attempt and ``sent`` only
  after the server accepted it. A failed attempt returns it to ``pending`` with a later
  ``next_attempt_at``; a ``sending`` row found by the next deliverer (which holds the delivery
  lock, so no one else can be mid-attempt) means the process died during an attempt that may have
  been accepted: it is re-sent once, flagged as a possible duplicate (see docs/alerts.md).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from radar.sqlite import immediate_transaction, open_database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS mails (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    search TEXT NOT NULL,
    recipients TEXT NOT NULL,           -- JSON list
    subject TEXT NOT NULL,
    body BLOB NOT NULL,                 -- the message exactly as it is sent on every attempt
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent')),
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    interrupted_at TEXT,                -- an attempt died after it began: maybe accepted already
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS mails_due ON mails (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS matches (
    search TEXT NOT NULL,
    cluster TEXT NOT NULL,
    advert_id TEXT NOT NULL,
    matched_at TEXT NOT NULL,
    mail INTEGER REFERENCES mails (id), -- NULL: queued, waiting for the search's cadence
    PRIMARY KEY (search, cluster)
);
CREATE INDEX IF NOT EXISTS matches_queued ON matches (search, mail);
-- Matches found by re-enrichment (alerts/backfill.py): a row here beside the row in matches.
CREATE TABLE IF NOT EXISTS backfill_matches (
    search TEXT NOT NULL,
    cluster TEXT NOT NULL,
    advert_id TEXT NOT NULL,            -- the document id, as in matches
    keywords_version TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    matched_at TEXT NOT NULL,
    PRIMARY KEY (search, cluster)
);
"""


def now_utc() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@dataclass(frozen=True)
class Match:
    """One advert that a saved search matched (the first of its cluster for that search)."""

    search: str
    cluster: str
    advert_id: str


@dataclass(frozen=True)
class Mail:
    """A row of ``mails``: one message to the recipients of one saved search."""

    id: int
    message_id: str
    search: str
    recipients: tuple[str, ...]
    subject: str
    body: bytes
    state: str
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    last_error: str
    interrupted_at: datetime | None
    sent_at: datetime | None
    adverts: int


class Ledger:
    """Access to the ledger file. Not for concurrent use: callers hold the delivery lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # The scheduler's worker threads share one service, and every use of it happens under
        # the delivery lock (alerts.lock), which serializes them.
        # FULL: a mail marked sent survives a power cut, as the ledger's promise needs.
        self._db = open_database(path, synchronous="FULL", timeout=30)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def db(self) -> sqlite3.Connection:
        """The connection, for tables that must change in the same transaction (the match checkpoint)."""
        return self._db

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
        return immediate_transaction(self._db)

    # ------------------------------------------------------------------ matches

    def record_matches(self, db: sqlite3.Connection, matches: Sequence[Match], at: datetime) -> int:
        """Queue new matches inside the caller's transaction; return how many were new.

        A (search, cluster) pair seen before, in any state, is ignored: that is the de-duplication
        of reposts and re-indexed adverts.
        """
        before = db.total_changes
        db.executemany(
            "INSERT OR IGNORE INTO matches (search, cluster, advert_id, matched_at) VALUES (?, ?, ?, ?)",
            [(m.search, m.cluster, m.advert_id, _iso(at)) for m in matches],
        )
        return db.total_changes - before

    def queued(self, search: str) -> list[Match]:
        """Matches of ``search`` that are in no mail yet, oldest first."""
        rows = self._db.execute(
            "SELECT search, cluster, advert_id FROM matches WHERE search = ? AND mail IS NULL "
            "ORDER BY matched_at, advert_id",
            (search,),
        )
        return [Match(*row) for row in rows]

    def record_backfills(
        self, db: sqlite3.Connection, matches: Sequence[Match], version: str, run_id: int, at: datetime
    ) -> None:
        """Mark matches recorded in the same transaction as back-fills of re-enrichment run ``run_id``."""
        db.executemany(
            "INSERT OR IGNORE INTO backfill_matches (search, cluster, advert_id, keywords_version, run_id, "
            "matched_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(m.search, m.cluster, m.advert_id, version, run_id, _iso(at)) for m in matches],
        )

    def queued_backfills(self, search: str) -> dict[str, str]:
        """Cluster -> keywords version of the queued matches of ``search`` that are back-fills."""
        rows = self._db.execute(
            "SELECT b.cluster, b.keywords_version FROM backfill_matches b JOIN matches m "
            "ON m.search = b.search AND m.cluster = b.cluster WHERE b.search = ? AND m.mail IS NULL",
            (search,),
        )
        return {row[0]: row[1] for row in rows}

    def backfills(self, search: str | None = None) -> list[tuple[str, str, str, str]]:
        """(search, cluster, document id, keywords version) of every back-fill recorded, oldest first."""
        where, params = ("WHERE search = ?", (search,)) if search else ("", ())
        rows = self._db.execute(
            # `where` is one of two fixed texts; the value is a parameter.
            "SELECT search, cluster, advert_id, keywords_version FROM backfill_matches "  # noqa: S608
            f"{where} ORDER BY matched_at, advert_id",
            params,
        )
        return [(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]

    def searches_with_queued(self) -> list[str]:
        rows = self._db.execute("SELECT DISTINCT search FROM matches WHERE mail IS NULL ORDER BY search")
        return [row[0] for row in rows]

    def already_matched(self, search: str, clusters: Sequence[str]) -> set[str]:
        """Which of ``clusters`` are in the ledger for ``search`` already (for the dry run)."""
        found: set[str] = set()
        for start in range(0, len(clusters), 500):
            chunk = list(clusters[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT cluster FROM matches WHERE search = ? AND cluster IN ({marks})",  # noqa: S608
                (search, *chunk),
            )
            found.update(row[0] for row in rows)
        return found

    # ------------------------------------------------------------------ mails

    def add_mail(
        self,
        *,
        message_id: str,
        search: str,
        recipients: Sequence[str],
        subject: str,
        body: bytes,
        matches: Sequence[Match],
        at: datetime,
    ) -> int:
        """Record a composed mail as ``pending`` and attach its matches, in one transaction."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO mails (message_id, search, recipients, subject, body, state, created_at, "
                "next_attempt_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                (message_id, search, json.dumps(list(recipients)), subject, body, _iso(at), _iso(at)),
            )
            mail_id = int(cursor.lastrowid or 0)
            db.executemany(
                "UPDATE matches SET mail = ? WHERE search = ? AND cluster = ? AND mail IS NULL",
                [(mail_id, m.search, m.cluster) for m in matches],
            )
        return mail_id

    def recover_interrupted(self, at: datetime) -> int:
        """Turn ``sending`` rows left by a killed process into flagged ``pending`` rows.

        Call only while holding the delivery lock: then no live process is mid-attempt.
        """
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE mails SET state = 'pending', interrupted_at = COALESCE(interrupted_at, ?), "
                "next_attempt_at = ? WHERE state = 'sending'",
                (_iso(at), _iso(at)),
            )
        return cursor.rowcount

    def due(self, at: datetime) -> list[Mail]:
        """Pending mails whose next attempt is due, oldest first."""
        return self._mails("WHERE m.state = 'pending' AND m.next_attempt_at <= ?", (_iso(at),))

    def begin_attempt(self, mail_id: int) -> None:
        """Mark the mail ``sending``: from here until ``mark_sent`` the SMTP server may accept it."""
        with self.transaction() as db:
            db.execute(
                "UPDATE mails SET state = 'sending', attempts = attempts + 1 WHERE id = ?",
                (mail_id,),
            )

    def mark_sent(self, mail_id: int, at: datetime, note: str = "") -> None:
        """The server accepted the mail (``note``: recipients it refused, if any)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE mails SET state = 'sent', sent_at = ?, last_error = ? WHERE id = ?",
                (_iso(at), note[:2000], mail_id),
            )

    def postpone(self, mail_id: int, retry_at: datetime) -> None:
        """Leave a pending mail untried until ``retry_at`` (its server is unreachable)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE mails SET next_attempt_at = MAX(next_attempt_at, ?) "
                "WHERE id = ? AND state = 'pending'",
                (_iso(retry_at), mail_id),
            )

    def mark_failed(self, mail_id: int, error: str, retry_at: datetime) -> None:
        """The server did not accept the mail: back to ``pending`` until ``retry_at``."""
        with self.transaction() as db:
            db.execute(
                "UPDATE mails SET state = 'pending', last_error = ?, next_attempt_at = ? WHERE id = ?",
                (error[:2000], _iso(retry_at), mail_id),
            )

    def mails(self, *, since: datetime | None = None, search: str | None = None) -> list[Mail]:
        """Every mail (any state), oldest first, optionally since a time or of one search."""
        clauses, params = [], []
        if since is not None:
            clauses.append("m.created_at >= ?")
            params.append(_iso(since))
        if search is not None:
            clauses.append("m.search = ?")
            params.append(search)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return self._mails(where, tuple(params))

    def pending_count(self) -> int:
        row = self._db.execute("SELECT COUNT(*) FROM mails WHERE state != 'sent'").fetchone()
        return int(row[0])

    def adverts_of(self, mail_id: int) -> list[Match]:
        rows = self._db.execute(
            "SELECT search, cluster, advert_id FROM matches WHERE mail = ? ORDER BY matched_at, advert_id",
            (mail_id,),
        )
        return [Match(*row) for row in rows]

    def _mails(self, where: str, params: tuple[str, ...]) -> list[Mail]:
        rows = self._db.execute(
            # `where` is built from fixed clauses in this class; values are parameters.
            "SELECT m.id, m.message_id, m.search, m.recipients, m.subject, m.body, m.state, m.created_at, "  # noqa: S608
            "m.attempts, m.next_attempt_at, m.last_error, m.interrupted_at, m.sent_at, "
            "(SELECT COUNT(*) FROM matches a WHERE a.mail = m.id) "
            f"FROM mails m {where} ORDER BY m.created_at, m.id",
            params,
        )
        return [
            Mail(
                id=row[0],
                message_id=row[1],
                search=row[2],
                recipients=tuple(json.loads(row[3])),
                subject=row[4],
                body=bytes(row[5]),
                state=row[6],
                created_at=datetime.fromisoformat(row[7]),
                attempts=row[8],
                next_attempt_at=datetime.fromisoformat(row[9]),
                last_error=row[10],
                interrupted_at=_parse(row[11]),
                sent_at=_parse(row[12]),
                adverts=row[13],
            )
            for row in rows
        ]
