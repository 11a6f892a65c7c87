"""Start, stop, inspect and reset one local Elasticsearch node.

``bin/elasticsearch -d -p <pidfile>`` daemonises: the launcher JVM returns once the server
has started, and the server JVM keeps running on its own, so nothing of ours needs to stay
alive. The pidfile (written by Elasticsearch, removed by it on a clean shutdown) and
``node.json`` (written by us) in the data directory are all the state there is.

Starting, stopping and resetting hold an exclusive lock on the data directory, so two of them
never interleave: two ``es start`` at once (two test sessions, two helpers) once let the second
delete the pidfile the first node had just written and then fail on Elasticsearch's node lock,
leaving a node that ``es stop`` no longer knew. Now the second waits and finds the node running.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.node import http_probe
from indexer.node.config_files import write_config
from indexer.node.distribution import ensure_distribution
from indexer.node.proc_info import is_alive, live_node_pid, rss_bytes, tail
from indexer.node.service_user import Account, check_reachable, hand_over, node_account
from indexer.node.settings import ES_VERSION, HOST, NodeSettings
from indexer.node.toolchain import Java, describe_toolchain, find_java
from radar.errors import Code, RadarError
from radar.logs import get_logger

log = get_logger("indexer.node")

POLL_S = 0.25


@dataclass(frozen=True)
class NodeStatus:
    data_dir: Path
    url: str
    pid: int | None
    health: str | None = None
    version: str | None = None
    heap_used: int | None = None
    heap_max: int | None = None
    rss: int | None = None

    @property
    def running(self) -> bool:
        return self.pid is not None


def launch_command(distribution: Path, settings: NodeSettings) -> list[str]:
    return [str(distribution / "bin" / "elasticsearch"), "-d", "-p", str(settings.pidfile)]


def launch_environment(settings: NodeSettings, java: Java, path: str) -> dict[str, str]:
    """A minimal environment: the caller's ES_JAVA_OPTS or JAVA_TOOL_OPTIONS must not leak in."""
    return {
        "PATH": path,
        "HOME": str(settings.data_dir),
        "LANG": "C.UTF-8",
        "ES_PATH_CONF": str(settings.config_dir),
        "ES_TMPDIR": str(settings.tmp_dir),
        "ES_JAVA_HOME": str(java.home),
    }


def recorded_url(settings: NodeSettings) -> str:
    """The URL of the last start in this data directory (its port may differ from the default)."""
    try:
        state = json.loads(settings.state_file.read_text())
        return str(state["url"])
    except (OSError, ValueError, KeyError):
        return settings.url


def status(settings: NodeSettings) -> NodeStatus:
    url = recorded_url(settings)
    pid = live_node_pid(settings.pidfile)
    if pid is None:
        return NodeStatus(data_dir=settings.data_dir, url=url, pid=None)
    heap = http_probe.heap(url)
    return NodeStatus(
        data_dir=settings.data_dir,
        url=url,
        pid=pid,
        health=http_probe.health(url),
        version=http_probe.version(url),
        heap_used=heap[0] if heap else None,
        heap_max=heap[1] if heap else None,
        rss=rss_bytes(pid),
    )


@contextlib.contextmanager
def _exclusive(settings: NodeSettings) -> Iterator[None]:
    """This process alone starts, stops or wipes the node of ``settings.data_dir`` meanwhile.

    The lock is ``flock`` on the directory itself (no lock file that a node directory check or a
    reset would have to know about); the kernel drops it when the process ends, however it ends.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(settings.data_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def start(settings: NodeSettings, timeout: float = 120.0) -> NodeStatus:
    """Start the node (fetching and building what is missing) and wait for health yellow.

    Waits while another process starts, stops or resets the same node; a node that another
    process has started meanwhile is not started twice, its health is awaited instead.
    """
    with _exclusive(settings):
        return _start(settings, timeout)


def _start(settings: NodeSettings, timeout: float) -> NodeStatus:
    deadline = time.monotonic() + timeout
    account = node_account()
    java = find_java()
    distribution = ensure_distribution(settings.cache_dir, java)
    if live_node_pid(settings.pidfile) is not None:
        log.info("node already running", extra={"url": recorded_url(settings)})
        _wait_for_health(settings, recorded_url(settings), None, deadline, timeout)
        return status(settings)
    _check_ports_free(settings)
    _prepare_data_dir(settings, distribution, account)
    settings.pidfile.unlink(missing_ok=True)
    log.info("starting Elasticsearch %s", ES_VERSION, extra={"url": settings.url, "user": account.name})
    with settings.launcher_log.open("wb") as output:
        launcher = subprocess.Popen(
            launch_command(distribution, settings),
            cwd=settings.data_dir,
            env=launch_environment(settings, java, os.environ.get("PATH", "/usr/bin:/bin")),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=account.uid if account.switch else None,
            group=account.gid if account.switch else None,
            extra_groups=[] if account.switch else None,
        )
    _wait_for_health(settings, settings.url, launcher, deadline, timeout)
    return status(settings)


def stop(settings: NodeSettings, timeout: float = 60.0) -> bool:
    """Stop the node gracefully (SIGTERM), killing it after ``timeout``; False if it was not running."""
    if not settings.data_dir.is_dir():
        return False
    with _exclusive(settings):
        return _stop(settings, timeout)


def _stop(settings: NodeSettings, timeout: float) -> bool:
    pid = live_node_pid(settings.pidfile)
    if pid is None:
        return False
    log.info("stopping Elasticsearch", extra={"pid": pid})
    os.kill(pid, signal.SIGTERM)
    if not _wait_for_exit(pid, timeout):
        log.warning("node ignored SIGTERM for %.0f s; killing it", timeout, extra={"pid": pid})
        os.kill(pid, signal.SIGKILL)
        _wait_for_exit(pid, 30.0)
    settings.pidfile.unlink(missing_ok=True)
    return True


def reset(settings: NodeSettings) -> None:
    """Stop the node if it runs and wipe everything in its data directory."""
    data_dir = settings.data_dir
    if data_dir.exists() and any(data_dir.iterdir()) and not settings.state_file.is_file():
        raise RadarError(
            Code.ES_NOT_A_NODE_DIR,
            f"{data_dir} holds files but no node.json, so it is not a node directory; refusing to wipe it",
        )
    if not data_dir.exists():
        return
    with _exclusive(settings):
        _stop(settings, 60.0)
        for entry in data_dir.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def _check_ports_free(settings: NodeSettings) -> None:
    for name, port in (("HTTP", settings.http_port), ("transport", settings.transport_port)):
        if http_probe.port_open(HOST, port):
            raise RadarError(
                Code.ES_PORT_IN_USE,
                f"{name} port {HOST}:{port} is already in use by another program "
                f"(no node of {settings.data_dir} runs there); choose another with --port",
            )


def _prepare_data_dir(settings: NodeSettings, distribution: Path, account: Account) -> None:
    data_dir = settings.data_dir
    if data_dir.exists() and any(data_dir.iterdir()) and not settings.state_file.is_file():
        raise RadarError(
            Code.ES_NOT_A_NODE_DIR,
            f"{data_dir} holds files but no node.json; give an empty or node directory",
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    check_reachable(data_dir, account, "data directory")
    check_reachable(distribution, account, "Elasticsearch distribution")
    write_config(settings, distribution)
    state = {
        "url": settings.url,
        "http_port": settings.http_port,
        "transport_port": settings.transport_port,
        "es_version": ES_VERSION,
        "distribution": str(distribution),
    }
    settings.state_file.write_text(json.dumps(state, indent=2) + "\n")
    hand_over(data_dir, account)


def _wait_for_health(
    settings: NodeSettings,
    url: str,
    launcher: subprocess.Popen[bytes] | None,
    deadline: float,
    timeout: float,
) -> None:
    """Poll health until yellow; a node we did not start is reported, never stopped, on timeout."""
    we_started_it = launcher is not None
    while time.monotonic() < deadline:
        if launcher is not None:
            code = launcher.poll()
            if code is None:
                # `elasticsearch -d` returns only once the server runs (or has failed).
                time.sleep(POLL_S)
                continue
            if code != 0:
                raise RadarError(
                    Code.ES_START_FAILED,
                    f"Elasticsearch exited with code {code} while starting.\n" + _diagnosis(settings),
                )
            launcher = None  # daemonised: the server runs on its own now
        if live_node_pid(settings.pidfile) is None:
            raise RadarError(
                Code.ES_START_FAILED, "Elasticsearch stopped while starting.\n" + _diagnosis(settings)
            )
        if http_probe.is_at_least(http_probe.health(url, timeout=2.0), "yellow"):
            return
        time.sleep(POLL_S)
    if not we_started_it:
        raise RadarError(
            Code.ES_START_TIMEOUT,
            f"the running node at {url} did not become healthy (yellow) within {timeout:.0f} s.\n"
            + _diagnosis(settings),
        )
    if launcher is not None:
        _kill_group(launcher)
    _stop(settings, timeout=10.0)  # start() holds the lock already
    raise RadarError(
        Code.ES_START_TIMEOUT,
        f"Elasticsearch at {url} was not healthy (yellow) within {timeout:.0f} s; stopped it.\n"
        + _diagnosis(settings),
    )


def _kill_group(launcher: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(launcher.pid, signal.SIGKILL)
    launcher.wait(timeout=30)


def _wait_for_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_alive(pid):
            return True
        time.sleep(POLL_S)
    return not is_alive(pid)


def _diagnosis(settings: NodeSettings) -> str:
    """The tails of both logs and the toolchain, so a failed start explains itself."""
    return (
        f"--- last lines of {settings.launcher_log} ---\n{tail(settings.launcher_log)}\n"
        f"--- last lines of {settings.server_log} ---\n{tail(settings.server_log)}\n"
        f"--- toolchain ---\n{describe_toolchain()}"
    )
