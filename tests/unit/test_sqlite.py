"""The shared SQLite opener: WAL, explicit transactions, rollback on error."""

from __future__ import annotations

import threading
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
