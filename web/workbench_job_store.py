"""The workbench's back-test jobs in a SQLite file that every web worker reads and writes.

``smokkelradar web --workers N`` spreads the requests of one analyst over N processes: the job's
page may be reloaded by a worker other than the one running the back-test, and "one back-test
at a time" must hold for the whole app, not per process. So a job is a row of
``<data.state>/web/workbench_jobs.sqlite`` (WAL): who started it, what it compares, the step it
is at, and at the end its result (JSON) or error. The thread running the job touches
``heartbeat_at`` every few seconds; a running row whose heartbeat is older than ``stale_s``
belongs to a worker that died (killed, restarted) and is shown, and stored, as failed.

A partial unique index allows one running row only; the claim runs in a ``BEGIN IMMEDIATE``
transaction, so two workers starting a back-test at the same moment cannot both win.

Each call opens its own short connection: the page of a running job is reloaded every two
seconds, which costs nothing next to a back-test, and the store then needs no closing when a
worker stops.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radar.sqlite import immediate_transaction, open_database

JOBS_FILE = "workbench_jobs.sqlite"
HEARTBEAT_S = 5.0  # how often the running worker says it is alive
STALE_S = 60.0  # no heartbeat for this long: the worker died (generous: two busy cores)
KEEP_S = 3600.0  # finished jobs are kept for their page this long
MAX_KEPT = 50
BUSY_TIMEOUT_S = 30.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    user TEXT NOT NULL,
    what TEXT NOT NULL,
    step TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    worker TEXT NOT NULL,
    started_at REAL NOT NULL,
    heartbeat_at REAL NOT NULL,
    finished_at REAL,
    result TEXT,
    error TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_one_running ON jobs (status) WHERE status = 'running';
"""
_COLUMNS = "id, kind, user, what, step, status, worker, started_at, heartbeat_at, finished_at, result, error"


class BusyError(Exception):
    """Another back-test is still running (in this worker or another)."""


@dataclass(frozen=True)
class Job:
    """One back-test as its page shows it; ``seconds`` is its run time up to the moment it was read."""

    id: str
    kind: str
    user: str
    what: str  # "draft of transport.yaml against the live keywords, sample 1,000"
    step: str
    status: str  # running, done or failed
    worker: str  # host and process id of the worker running it
    started_at: float  # Unix time (UTC)
    heartbeat_at: float
    finished_at: float | None
    seconds: float
    result: Any  # the JSON value the work returned, None until done
    error: str

    @property
    def running(self) -> bool:
        return self.status == "running"


def stale_message(stale_s: float) -> str:
    return (
        f"the web worker running it stopped (no sign of life for {stale_s:.0f} s, "
        "e.g. the web app restarted); start it again"
    )


class JobStore:
    """The job table of one web app's state folder."""

    def __init__(
        self,
        path: Path,
        *,
        stale_s: float = STALE_S,
        keep_s: float = KEEP_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.stale_s = stale_s
        self.keep_s = keep_s
        self._clock = clock
        with self._connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = open_database(self.path, timeout=BUSY_TIMEOUT_S)
        try:
            yield db
        finally:
            db.close()

    def _fail_stale(self, db: sqlite3.Connection, now: float, job_id: str | None = None) -> None:
        """Mark running jobs without a recent heartbeat failed (all of them, or only ``job_id``)."""
        db.execute(
            "UPDATE jobs SET status = 'failed', step = 'failed', error = ?, finished_at = heartbeat_at "
            "WHERE status = 'running' AND heartbeat_at < ? AND (? IS NULL OR id = ?)",
            (stale_message(self.stale_s), now - self.stale_s, job_id, job_id),
        )

    def claim(self, kind: str, user: str, what: str, worker: str) -> Job:
        """A new running job, or BusyError naming who runs the one that is running."""
        now = self._clock()
        job_id = secrets.token_urlsafe(12)
        with self._connect() as db, immediate_transaction(db):
            self._fail_stale(db, now)
            busy = db.execute("SELECT user, step FROM jobs WHERE status = 'running'").fetchone()
            if busy is not None:
                raise BusyError(f"{busy[0]} is running a back-test ({busy[1]}); try again shortly")
            # Finished jobs are forgotten after an hour, and beyond the newest MAX_KEPT.
            db.execute("DELETE FROM jobs WHERE status != 'running' AND finished_at < ?", (now - self.keep_s,))
            db.execute(
                "DELETE FROM jobs WHERE status != 'running' AND id NOT IN "
                "(SELECT id FROM jobs WHERE status != 'running' ORDER BY started_at DESC LIMIT ?)",
                (MAX_KEPT - 1,),
            )
            db.execute(
                "INSERT INTO jobs (id, kind, user, what, step, status, worker, started_at, heartbeat_at) "
                "VALUES (?, ?, ?, ?, 'waiting', 'running', ?, ?, ?)",
                (job_id, kind, user, what, worker, now, now),
            )
        job = self.get(job_id)
        assert job is not None  # just written
        return job

    def progress(self, job_id: str, step: str) -> None:
        """The step the job is at (also a heartbeat)."""
        with self._connect() as db, immediate_transaction(db):
            db.execute(
                "UPDATE jobs SET step = ?, heartbeat_at = ? WHERE id = ? AND status = 'running'",
                (step, self._clock(), job_id),
            )

    def beat(self, job_id: str) -> None:
        with self._connect() as db, immediate_transaction(db):
            db.execute(
                "UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND status = 'running'",
                (self._clock(), job_id),
            )

    def finish(self, job_id: str, result: Any) -> None:
        """Store the result (any JSON value; TypeError when it is not one, before anything is written).

        Written even over a job marked failed for a missed heartbeat: the result is real."""
        text = json.dumps(result, ensure_ascii=False, allow_nan=False)
        now = self._clock()
        with self._connect() as db, immediate_transaction(db):
            db.execute(
                "UPDATE jobs SET status = 'done', step = 'done', result = ?, error = '', finished_at = ?, "
                "heartbeat_at = ? WHERE id = ?",
                (text, now, now, job_id),
            )

    def fail(self, job_id: str, error: str) -> None:
        now = self._clock()
        with self._connect() as db, immediate_transaction(db):
            db.execute(
                "UPDATE jobs SET status = 'failed', step = 'failed', error = ?, finished_at = ?, "
                "heartbeat_at = ? WHERE id = ?",
                (error, now, now, job_id),
            )

    def get(self, job_id: str) -> Job | None:
        """The job as any worker sees it now; a running job whose worker went silent is failed here."""
        now = self._clock()
        with self._connect() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()  # noqa: S608
            if row is not None and row[5] == "running" and row[8] < now - self.stale_s:
                with immediate_transaction(db):
                    self._fail_stale(db, now, job_id)
                row = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()  # noqa: S608
        if row is None:
            return None
        (id_, kind, user, what, step, status, worker, started, heartbeat, finished, result, error) = row
        return Job(
            id=id_, kind=kind, user=user, what=what, step=step, status=status, worker=worker,
            started_at=started, heartbeat_at=heartbeat, finished_at=finished,
            seconds=max(0.0, (finished if finished is not None else now) - started),
            result=json.loads(result) if result is not None else None, error=error,
        )  # fmt: skip
