"""The shared SQLite opener: WAL, explicit transactions, rollback on error."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from radar.sqlite import immediate_transaction, open_database


def test_open_sets_wal_and_synchronous(tmp_path: Path) -> None:
    db = open_database(tmp_path / "sub" / "store.sqlite", synchronous="FULL", foreign_keys=True)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    db.close()


def test_transaction_commits_and_rolls_back(tmp_path: Path) -> None:
    db = open_database(tmp_path / "store.sqlite")
    db.execute("CREATE TABLE t (x INTEGER)")
    lock = threading.Lock()
    with immediate_transaction(db, lock) as tx:
        tx.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(RuntimeError), immediate_transaction(db, lock) as tx:
        tx.execute("INSERT INTO t VALUES (2)")
        raise RuntimeError("disk full")
    assert [row[0] for row in db.execute("SELECT x FROM t")] == [1]
    assert not lock.locked()
    # Another connection sees the committed row: the commit was real, not just in this connection.
    other = open_database(tmp_path / "store.sqlite")
    assert other.execute("SELECT count(*) FROM t").fetchone()[0] == 1


def _open_at(path: str, start: float, outcomes: multiprocessing.Queue[str]) -> None:
    while time.time() < start:  # every process opens the new file at the same moment
        pass
    try:
        db = open_database(Path(path), synchronous="FULL")
        with immediate_transaction(db):
            db.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
        db.close()
        outcomes.put("ok")
    except Exception as error:  # reported to the test, which names it
        outcomes.put(repr(error))


def test_processes_opening_one_new_file_at_once_all_get_it(tmp_path: Path) -> None:
    """Two web workers start together on a fresh state folder: neither may fail "database is locked"
    (before the fix, about one opening in seven did, and the worker died before it was ready)."""
    outcomes: list[str] = []
    for round_ in range(40):
        queue: multiprocessing.Queue[str] = multiprocessing.Queue()
        start = time.time() + 0.3
        path = str(tmp_path / f"round{round_}.sqlite")
        processes = [multiprocessing.Process(target=_open_at, args=(path, start, queue)) for _ in range(4)]
        for process in processes:
            process.start()
        outcomes += [queue.get(timeout=120) for _ in processes]
        for process in processes:
            process.join()
    assert [outcome for outcome in outcomes if outcome != "ok"] == []
