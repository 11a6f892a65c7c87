"""One writer at a time: the drain, a migration and retention take the same lock file.

A migration copies the index while nothing writes to it; meanwhile the crawl goes on and
the spool simply grows, exactly as when Elasticsearch is down. ``flock`` locks disappear
with the process that held them, so a crash never leaves the index locked.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from radar.errors import Code, RadarError

POLL_S = 0.2


@contextmanager
def writer_lock(path: Path, purpose: str, *, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the index writer lock; wait up to ``wait_seconds``, then raise RadarError(INDEX_BUSY)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
                    raise RadarError(
                        Code.INDEX_BUSY,
                        f"cannot {purpose}: the index is busy ({holder}, lock {path}); try again later",
                    ) from None
                time.sleep(POLL_S)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{purpose} by pid {os.getpid()}".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
