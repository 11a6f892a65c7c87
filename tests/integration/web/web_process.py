"""``smokkelradar web`` as a child process, as an operator starts it: start, wait until it answers, stop.

Shared by the tests that need the real server rather than the app in the test's own process
(several worker processes, or two servers on one state directory).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[3]


def start_web(radar_yaml: Path, port: int, *options: str) -> subprocess.Popen[bytes]:
    """``python -m radar web`` on 127.0.0.1:``port`` with plain-http cookies and ``options``."""
    command = [sys.executable, "-m", "radar", "web", "-c", str(radar_yaml), "--port", str(port),
               "--insecure-cookies", *options]  # fmt: skip
    return subprocess.Popen(command, cwd=REPO, start_new_session=True)


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    """Return once ``url``/login answers 200; raise if the process exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url + "/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"smokkelradar web did not answer at {url}")
        time.sleep(0.2)


def stop_web(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C (uvicorn's graceful stop); the whole process group is killed if that takes too long."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
