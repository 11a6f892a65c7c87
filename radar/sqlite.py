"""Opening the project's local SQLite files the one way they all need.

The spool, the near-duplicate bands, pins, the alert ledger, run history,
the web's stores and the workbench's files are each one SQLite file under
the data folder. They share the same needs: WAL so readers never block the
writer, explicit transactions (``isolation_level=None``) taken with
``BEGIN IMMEDIATE`` so two writers never deadlock on a lock upgrade, one
connection shared by a component's threads under its own lock, and a busy
timeout. ``synchronous=FULL`` where a row lost to a power cut breaks a
promise (a mail marked sent, an audit entry); ``NORMAL`` elsewhere.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Literal


def open_database(
    path: Path,
    *,
    synchronous: Literal["NORMAL", "FULL"] = "NORMAL",
    timeout: float = 60.0,
    foreign_keys: bool = False,
    page_size: int | None = None,
) -> sqlite3.Connection:
    """A connection to ``path`` (folder created), in WAL mode with explicit transactions.

    ``check_same_thread=False`` because each store shares its connection
    between threads; every store serializes its use with its own lock.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    if page_size is not None:  # only takes effect on a new file, and only before WAL is on
        db.execute(f"PRAGMA page_size={int(page_size)}")
    _switch_to_wal(db, timeout)
    db.execute(f"PRAGMA synchronous={synchronous}")
    if foreign_keys:
        db.execute("PRAGMA foreign_keys=ON")
    return db


WAL_RETRY_S = 0.01  # pause between two tries of the switch to WAL


def _switch_to_wal(db: sqlite3.Connection, timeout: float) -> None:
    """``PRAGMA journal_mode=WAL``, tried again while another connection holds the file's lock.

    Switching a new file to WAL needs it to itself, and SQLite answers "database is locked" at
    once, without waiting for the busy timeout, when another process is opening the same new file
    at the same moment (two web workers starting together; measured: 24 of 160 openings failed in
    40 rounds of four processes). The switch is only retried, within ``timeout``, for that error.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
        time.sleep(WAL_RETRY_S)


@contextmanager
def immediate_transaction(
    db: sqlite3.Connection, lock: threading.Lock | threading.RLock | None = None
) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (under ``lock`` if given), rolled back on any error."""
    guard: AbstractContextManager[object] = lock if lock is not None else nullcontext()
    with guard:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
