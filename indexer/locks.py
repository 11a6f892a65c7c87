"""One writer at a time: the drain, a migration and retention take the same lock file.

A migration copies the index while nothing writes to it; meanwhile the crawl goes on and
the spool simply grows, exactly as when Elasticsearch is down. ``flock`` locks disappear
with the process that held them, so a crash never leaves the index locked.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from radar.errors import Code, RadarError
from radar.filelock import exclusive_lock


@contextmanager
def writer_lock(path: Path, purpose: str, *, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the index writer lock; wait up to ``wait_seconds``, then raise RadarError(INDEX_BUSY)."""

    def busy(holder: str) -> RadarError:
        return RadarError(
            Code.INDEX_BUSY, f"cannot {purpose}: the index is busy ({holder}, lock {path}); try again later"
        )

    with exclusive_lock(path, f"{purpose} by pid {os.getpid()}", wait_seconds=wait_seconds, busy=busy):
        yield
