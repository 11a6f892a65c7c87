"""Where a re-enrichment run stands: one SQLite row per run under the state folder.

``<data.state>/reenrich.sqlite`` keeps each run's keyword version, its window (``since``,
sources), its counts and the cursor of the last page whose updates Elasticsearch acknowledged.
A run that stopped (killed, Elasticsearch away, Ctrl-C) is resumed from that cursor by the next
``smokkelradar reenrich`` with the same keyword version and window; a run for an older version
is superseded. The cursor is only an optimisation: adverts already tagged with the version are
skipped by the query itself, so a page redone after a crash changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from radar.sqlite import open_database

CHECKPOINT_FILE = "reenrich.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    keywords_version TEXT NOT NULL,
    since TEXT,                         -- ISO time, or NULL: every advert
    sources TEXT NOT NULL,              -- JSON list, empty: every source
    state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed', 'superseded')),
    pid INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT,
    total INTEGER NOT NULL DEFAULT 0,   -- adverts to re-tag when the run started
    seen INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0, -- tags changed
    unchanged INTEGER NOT NULL DEFAULT 0,
    gone INTEGER NOT NULL DEFAULT 0,    -- deleted from the index meanwhile (retention)
    backfilled INTEGER NOT NULL DEFAULT 0,
    mails INTEGER NOT NULL DEFAULT 0,
    cursor TEXT,                        -- JSON search_after of the last acknowledged page
    error TEXT NOT NULL DEFAULT ''
);
"""

COUNTERS = ("seen", "updated", "unchanged", "gone", "backfilled", "mails")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Run:
    id: int
    keywords_version: str
    since: str | None
    sources: list[str]
    state: str
    pid: int
    started_at: str
    updated_at: str
    finished_at: str | None
    total: int
    seen: int
    updated: int
    unchanged: int
    gone: int
    backfilled: int
    mails: int
    cursor: list[Any] | None
    error: str

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in ("total", *COUNTERS)}


_COLUMNS = ", ".join(f.name for f in fields(Run))


class Checkpoints:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = open_database(path, timeout=30)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def _runs(self, where: str = "", params: Sequence[Any] = ()) -> list[Run]:
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM runs {where}", tuple(params))  # noqa: S608 (fixed text)
        runs = []
        for row in rows:
            values = list(row)
            values[3] = json.loads(values[3])
            values[16] = json.loads(values[16]) if values[16] else None
            runs.append(Run(*values))
        return runs

    def get(self, run_id: int) -> Run:
        return self._runs("WHERE id = ?", (run_id,))[0]

    def recent(self, limit: int = 10) -> list[Run]:
        return self._runs("ORDER BY id DESC LIMIT ?", (limit,))

    def unfinished(self, version: str, since: str | None, sources: Sequence[str]) -> Run | None:
        """The last run of this version and window that did not finish (call holding the run lock)."""
        found = self._runs(
            "WHERE state IN ('running', 'failed') AND keywords_version = ? AND since IS ? AND sources = ? "
            "ORDER BY id DESC LIMIT 1",
            (version, since, json.dumps(sorted(sources))),
        )
        return found[0] if found else None

    def start(self, version: str, since: str | None, sources: Sequence[str], pid: int, total: int) -> Run:
        """A new run; unfinished runs of other versions or windows are superseded by it."""
        self._db.execute(
            "UPDATE runs SET state = 'superseded', finished_at = ? WHERE state IN ('running', 'failed')",
            (_now(),),
        )
        cursor = self._db.execute(
            "INSERT INTO runs (keywords_version, since, sources, state, pid, started_at, updated_at, total) "
            "VALUES (?, ?, ?, 'running', ?, ?, ?, ?)",
            (version, since, json.dumps(sorted(sources)), pid, _now(), _now(), total),
        )
        return self.get(int(cursor.lastrowid or 0))

    def resume(self, run: Run, pid: int) -> Run:
        self._db.execute(
            "UPDATE runs SET state = 'running', pid = ?, updated_at = ?, error = '' WHERE id = ?",
            (pid, _now(), run.id),
        )
        return self.get(run.id)

    def advance(self, run_id: int, cursor: list[Any], added: dict[str, int]) -> Run:
        """Record a page as done: its cursor and what it did, in one statement."""
        sets = ", ".join(f"{name} = {name} + ?" for name in COUNTERS)
        self._db.execute(
            f"UPDATE runs SET cursor = ?, updated_at = ?, {sets} WHERE id = ?",  # noqa: S608 (fixed names)
            (json.dumps(cursor), _now(), *(added.get(name, 0) for name in COUNTERS), run_id),
        )
        return self.get(run_id)

    def finish(self, run_id: int, state: str, error: str = "") -> Run:
        self._db.execute(
            "UPDATE runs SET state = ?, finished_at = ?, updated_at = ?, error = ? WHERE id = ?",
            (state, _now(), _now(), error[:2000], run_id),
        )
        return self.get(run_id)
