"""Advisory file locks (``flock``) for "one process at a time" sections.

The index writer lock and the alert delivery lock both need the same thing:
take an exclusive lock on a file, wait a bounded time for another holder,
write who holds it into the file (so the next process can say who is busy),
and let the kernel release it when the holder dies, so a crash never leaves
anything locked.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from radar.errors import RadarError

POLL_SECONDS = 0.05


@contextmanager
def exclusive_lock(
    path: Path, holder: str, *, wait_seconds: float, busy: Callable[[str], RadarError]
) -> Iterator[None]:
    """Hold ``path``'s lock for the block.

    ``holder`` (e.g. "drain by pid 42") is written into the file while the
    lock is held. After ``wait_seconds`` without the lock, raises
    ``busy(current holder)``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    current = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
                    raise busy(current) from None
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing releases the lock
