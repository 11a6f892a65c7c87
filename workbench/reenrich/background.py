"""Starting ``smokkelradar reenrich`` as a detached child process (``--background``, the web page).

The child is the CLI itself (``python -m radar reenrich …``), so a run started from the web app
and one started in a terminal are the same run: the same lock, the same checkpoint (progress and
resuming are read from ``reenrich.sqlite``), the same log file. Detached in its own session, it
outlives the terminal or web worker that started it; re-enrichment is CPU-bound and never shares
the web server's interpreter.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

LOG_FILE = "reenrich.log"


def reenrich_arguments(
    radar_yaml: Path, *, since: datetime | str | None = None, sources: Sequence[str] = ()
) -> list[str]:
    """The CLI arguments of a re-enrichment of ``radar_yaml``'s index (a window, when given)."""
    argv = ["reenrich", "--config", str(radar_yaml)]
    if since is not None:
        argv += ["--since", since.isoformat() if isinstance(since, datetime) else since]
    for source in sources:
        argv += ["--source", source]
    return argv


def start_background(state: Path, argv: Sequence[str]) -> tuple[subprocess.Popen[bytes], Path]:
    """Run ``smokkelradar <argv>`` detached, its output appended to ``<state>/reenrich.log``.

    Returns (the child, log file); a long-lived parent (the web app) waits for it so it leaves no zombie."""
    state.mkdir(parents=True, exist_ok=True)
    log = state / LOG_FILE
    with log.open("ab") as output:
        child = subprocess.Popen(
            [sys.executable, "-m", "radar", *argv],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # survives the terminal or the web worker that started it
            env=dict(os.environ),
        )
    return child, log


def running(state: Path, lock_file: str) -> bool:
    """Whether a re-enrichment holds the run lock of ``state`` now (a crashed run holds nothing).

    Probed with a shared, non-blocking lock released at once."""
    path = state / lock_file
    if not path.exists():
        return False
    descriptor = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return False
    finally:
        os.close(descriptor)
