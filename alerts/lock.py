"""One alert worker at a time: an advisory file lock around matching, composing and sending.

The scheduler and a manual ``smokkelradar run`` may both want to deliver. Holding the lock
also tells the ledger that a mail left in ``sending`` belongs to a process that died (the
kernel releases a dead process's lock), which is what makes recovery safe.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from radar.errors import Code, RadarError


@contextmanager
def exclusive(path: Path, *, wait_seconds: float = 120.0) -> Iterator[None]:
    """Hold ``path``'s lock for the block; wait up to ``wait_seconds`` for another holder to finish."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RadarError(
                        Code.ALERT_BUSY,
                        f"another smokkelradar process is delivering alerts (lock {path}); try again later",
                    ) from None
                time.sleep(0.05)
        os.ftruncate(descriptor, 0)
        os.write(descriptor, str(os.getpid()).encode())
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
