"""Start, stop and inspect the project's own background services by pidfile.

``make run`` leaves the demo services running (the demo web, the demo
mailbox) and ``make stop`` stops them; both go through here so every service
is started, logged and stopped the same way. Elasticsearch daemonizes itself
and has its own launcher in ``indexer.node``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from radar.errors import Code, RadarError

# Services this process started. The Popen objects are kept so that a stop in
# the same process reaps the child (no zombie answering kill(pid, 0)) and so
# that Python does not warn about a "still running" child being collected:
# outliving this process is the point of a background service.
_children: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class Service:
    """A background service: its name, the command that runs it, and its TCP port."""

    name: str
    argv: tuple[str, ...]
    port: int
    host: str = "127.0.0.1"

    def pidfile(self, run_dir: Path) -> Path:
        return run_dir / f"{self.name}.pid"

    def logfile(self, run_dir: Path) -> Path:
        return run_dir / f"{self.name}.log"


def read_pid(pidfile: Path) -> int | None:
    """The pid in ``pidfile`` if that process is alive, else None."""
    try:
        pid = int(pidfile.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def start(service: Service, run_dir: Path, *, wait_seconds: float = 30.0) -> int:
    """Start ``service`` detached unless it already runs; return its pid.

    Waits until its port accepts connections; on time-out, stops it and
    raises with the tail of its log so the operator sees why.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    pidfile = service.pidfile(run_dir)
    running = read_pid(pidfile)
    if running is not None:
        return running
    if port_open(service.host, service.port):
        raise RadarError(
            Code.DEMO_PORT_IN_USE,
            f"{service.name}: port {service.host}:{service.port} is already in use by another process",
        )
    log = service.logfile(run_dir).open("ab")
    process = subprocess.Popen(
        service.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    log.close()
    _children[process.pid] = process
    pidfile.write_text(str(process.pid))
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if port_open(service.host, service.port):
            return process.pid
        time.sleep(0.1)
    stop(service, run_dir)
    tail = _tail(service.logfile(run_dir))
    raise RadarError(
        Code.SERVICE_START_FAILED,
        f"{service.name} did not start listening on {service.host}:{service.port}; its log ends:\n{tail}",
    )


def stop(service: Service, run_dir: Path, *, grace_seconds: float = 10.0) -> bool:
    """Stop ``service`` (SIGTERM, then SIGKILL); return whether it was running."""
    pidfile = service.pidfile(run_dir)
    pid = read_pid(pidfile)
    pidfile.unlink(missing_ok=True)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    child = _children.pop(pid, None)
    if child is not None:
        try:
            child.wait(grace_seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        return True
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return True


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
