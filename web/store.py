"""A SQLite file shared by the threads of one web process (accounts, sessions, the audit log).

One connection per store, serialized by a lock: the requests of a web app are short, and
SQLite in WAL mode lets other processes (the ``users`` command, a second web worker) read
and write the same file meanwhile, waiting on its busy timeout.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from radar.sqlite import immediate_transaction, open_database

BUSY_TIMEOUT_S = 30.0


class SqliteStore:
    """Base of the web's stores: opens the file, applies the schema, hands out transactions."""

    SCHEMA = ""

    def __init__(self, path: Path, *, durable: bool = False) -> None:
        self.path = path
        self._lock = threading.RLock()
        # FULL where a lost row matters after a power cut (the audit log); NORMAL elsewhere.
        self._db = open_database(
            path, synchronous="FULL" if durable else "NORMAL", timeout=BUSY_TIMEOUT_S, foreign_keys=True
        )
        with self._lock:
            self._db.executescript(self.SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT under the store's lock, rolled back on any error."""
        return immediate_transaction(self._db, self._lock)

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads (autocommit), under the store's lock."""
        with self._lock:
            yield self._db
