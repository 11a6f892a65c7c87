"""One alert worker at a time: an advisory file lock around matching, composing and sending.

The scheduler and a manual ``smokkelradar run`` may both want to deliver. Holding the lock
also tells the ledger that a mail left in ``sending`` belongs to a process that died (the
kernel releases a dead process's lock), which is what makes recovery safe.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from radar.errors import Code, RadarError
from radar.filelock import exclusive_lock


@contextmanager
def exclusive(path: Path, *, wait_seconds: float = 120.0) -> Iterator[None]:
    """Hold ``path``'s lock for the block; wait up to ``wait_seconds`` for another holder to finish."""

    def busy(holder: str) -> RadarError:
        return RadarError(
            Code.ALERT_BUSY,
            f"another smokkelradar process is delivering alerts ({holder}, lock {path}); try again later",
        )

    with exclusive_lock(path, f"alerts by pid {os.getpid()}", wait_seconds=wait_seconds, busy=busy):
        yield
