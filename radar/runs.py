"""Run history, incidents and paused jobs of the scheduler (SQLite under the state folder).

Every job run is recorded with its start, end, outcome, duration, counts and error, and kept
for 30 days; ``smokkelradar status`` reads it. Incidents (a source gone quiet, selectors that
drifted, a failing job, an invalid configuration) are opened once, mailed once, and closed when
the condition clears; a new occurrence after that is a new incident with a new mail.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from radar.sqlite import open_database

KEEP = timedelta(days=30)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT NOT NULL,          -- running, ok, failed, timeout, interrupted
    seconds REAL,
    counts TEXT NOT NULL DEFAULT '{}',
    error TEXT NOT NULL DEFAULT '',
    keywords_version TEXT NOT NULL DEFAULT ''  -- the keyword configuration that tagged a crawl's adverts
);
CREATE INDEX IF NOT EXISTS runs_by_job ON runs (job_id, started_at);
CREATE TABLE IF NOT EXISTS incidents (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,              -- e.g. source-quiet:demo-forum, job:crawl:demo-forum, config
    opened_at TEXT NOT NULL,
    detail TEXT NOT NULL,
    mailed_at TEXT,
    closed_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS one_open_incident ON incidents (key) WHERE closed_at IS NULL;
CREATE TABLE IF NOT EXISTS paused (
    job_id TEXT PRIMARY KEY,
    paused_at TEXT NOT NULL,
    reason TEXT NOT NULL
);
"""


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Run:
    id: int
    job_id: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    seconds: float | None
    counts: dict[str, int]
    error: str
    keywords_version: str = ""


@dataclass(frozen=True)
class Incident:
    id: int
    key: str
    opened_at: datetime
    detail: str
    mailed_at: datetime | None


@dataclass
class RunRecord:
    """Filled in by a job while it runs; written when it ends."""

    counts: dict[str, int] = field(default_factory=dict)
    outcome: str = "ok"
    error: str = ""
    keywords_version: str = ""  # content hash of the keywords in force (nlp.version), for crawls


class RunHistory:
    def __init__(self, path: Path) -> None:
        self.path = path
        # One connection shared by the scheduler's worker threads, each statement under the lock.
        self._db = open_database(path, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(runs)")}
            if "keywords_version" not in columns:  # a history file written before the column existed
                self._db.execute("ALTER TABLE runs ADD COLUMN keywords_version TEXT NOT NULL DEFAULT ''")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, params: tuple[object, ...] = ()) -> tuple[int, int]:
        """Run one statement; (rowcount, lastrowid)."""
        with self._lock:
            cursor = self._db.execute(sql, params)
            return cursor.rowcount, int(cursor.lastrowid or 0)

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            return list(self._db.execute(sql, params).fetchall())

    # ------------------------------------------------------------------ runs

    @contextmanager
    def record(self, job_id: str) -> Iterator[RunRecord]:
        """Record one run of ``job_id``; an exception marks it failed (and propagates)."""
        started = _now()
        _, run_id = self._write(
            "INSERT INTO runs (job_id, started_at, outcome) VALUES (?, ?, 'running')", (job_id, _iso(started))
        )
        record = RunRecord()
        try:
            yield record
        except BaseException as error:
            record.outcome = "failed" if record.outcome == "ok" else record.outcome
            record.error = record.error or f"{type(error).__name__}: {error}"
            raise
        finally:
            finished = _now()
            self._write(
                "UPDATE runs SET finished_at = ?, outcome = ?, seconds = ?, counts = ?, error = ?, "
                "keywords_version = ? WHERE id = ?",
                (
                    _iso(finished),
                    record.outcome,
                    (finished - started).total_seconds(),
                    json.dumps(record.counts),
                    record.error[:4000],
                    record.keywords_version,
                    run_id,
                ),
            )

    def mark_interrupted(self) -> int:
        """Runs left ``running`` by a process that stopped (called when the scheduler starts)."""
        return self._write("UPDATE runs SET outcome = 'interrupted' WHERE outcome = 'running'")[0]

    def recent(self, job_id: str, limit: int = 10) -> list[Run]:
        """The newest finished runs of ``job_id``, newest first."""
        rows = self._read(
            "SELECT id, job_id, started_at, finished_at, outcome, seconds, counts, error, keywords_version "
            "FROM runs WHERE job_id = ? AND outcome != 'running' ORDER BY started_at DESC, id DESC LIMIT ?",
            (job_id, limit),
        )
        return [_run(row) for row in rows]

    def last_runs(self) -> dict[str, Run]:
        """The newest run of every job."""
        rows = self._read(
            "SELECT id, job_id, started_at, finished_at, outcome, seconds, counts, error, keywords_version "
            "FROM runs r WHERE id = (SELECT MAX(id) FROM runs WHERE job_id = r.job_id)"
        )
        return {run.job_id: run for run in map(_run, rows)}

    def consecutive_failures(self, job_id: str) -> int:
        failures = 0
        for run in self.recent(job_id, 50):
            if run.outcome not in ("failed", "timeout"):
                break
            failures += 1
        return failures

    def prune(self, keep: timedelta = KEEP, now: datetime | None = None) -> int:
        """Delete runs (and closed incidents) older than ``keep``; return how many rows went."""
        cutoff = _iso((now or _now()) - keep)
        deleted = self._write("DELETE FROM runs WHERE started_at < ?", (cutoff,))[0]
        deleted += self._write(
            "DELETE FROM incidents WHERE closed_at IS NOT NULL AND closed_at < ?", (cutoff,)
        )[0]
        return deleted

    # ------------------------------------------------------------------ incidents

    def open_incident(self, key: str, detail: str) -> Incident:
        """The open incident for ``key``, opened now if there is none."""
        self._write(
            "INSERT OR IGNORE INTO incidents (key, opened_at, detail) VALUES (?, ?, ?)",
            (key, _iso(_now()), detail),
        )
        incident = self.incident(key)
        if incident is None:  # pragma: no cover - the insert above guarantees one
            raise RuntimeError(f"incident {key} vanished")
        return incident

    def incident(self, key: str) -> Incident | None:
        rows = self._read(
            "SELECT id, key, opened_at, detail, mailed_at FROM incidents WHERE key = ? AND closed_at IS NULL",
            (key,),
        )
        return _incident(rows[0]) if rows else None

    def open_incidents(self) -> list[Incident]:
        rows = self._read(
            "SELECT id, key, opened_at, detail, mailed_at FROM incidents WHERE closed_at IS NULL ORDER BY id"
        )
        return [_incident(row) for row in rows]

    def mark_mailed(self, incident_id: int) -> None:
        self._write("UPDATE incidents SET mailed_at = ? WHERE id = ?", (_iso(_now()), incident_id))

    def close_incident(self, key: str) -> bool:
        changed, _ = self._write(
            "UPDATE incidents SET closed_at = ? WHERE key = ? AND closed_at IS NULL", (_iso(_now()), key)
        )
        return bool(changed)

    # ------------------------------------------------------------------ paused jobs

    def set_paused(self, job_id: str, reason: str) -> None:
        self._write(
            "INSERT OR REPLACE INTO paused (job_id, paused_at, reason) VALUES (?, ?, ?)",
            (job_id, _iso(_now()), reason),
        )

    def clear_paused(self, job_id: str) -> None:
        self._write("DELETE FROM paused WHERE job_id = ?", (job_id,))

    def paused(self) -> dict[str, tuple[datetime, str]]:
        rows = self._read("SELECT job_id, paused_at, reason FROM paused")
        return {str(row[0]): (datetime.fromisoformat(str(row[1])), str(row[2])) for row in rows}


def _run(row: tuple[object, ...]) -> Run:
    counts = json.loads(str(row[6]))
    return Run(
        id=int(str(row[0])),
        job_id=str(row[1]),
        started_at=datetime.fromisoformat(str(row[2])),
        finished_at=datetime.fromisoformat(str(row[3])) if row[3] else None,
        outcome=str(row[4]),
        seconds=float(str(row[5])) if row[5] is not None else None,
        counts=counts if isinstance(counts, Mapping) and isinstance(counts, dict) else {},
        error=str(row[7]),
        keywords_version=str(row[8] or "") if len(row) > 8 else "",
    )


def _incident(row: tuple[object, ...]) -> Incident:
    return Incident(
        id=int(str(row[0])),
        key=str(row[1]),
        opened_at=datetime.fromisoformat(str(row[2])),
        detail=str(row[3]),
        mailed_at=datetime.fromisoformat(str(row[4])) if row[4] else None,
    )
