"""``smokkelradar web --workers 2`` as an operator runs it: the supervisor deals connections out evenly,
replaces a worker that dies, stops everything on Ctrl-C, and names the port when it is taken.

Which process holds a connection is read from ``/proc`` (the sockets each process has open, and the
kernel's table of TCP connections), so the app needs nothing that only tests would use. The pages
used here never ask Elasticsearch anything, so no node is needed.
"""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.integration.alerts.support import make_certificates
from tests.integration.web.conftest import free_port
from tests.integration.web.web_process import REPO, start_web, stop_web, wait_until_up
from tests.proc_sockets import ESTABLISHED, socket_inodes, tcp_inodes
from tests.unit.web.support import write_config


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    radar_yaml: Path


def _start(folder: Path) -> Server:
    radar_yaml = write_config(folder)
    port = free_port()
    process = start_web(radar_yaml, port, "--workers", "2")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, timeout=90)
    except BaseException:
        stop_web(process)
        raise
    return Server(url, port, process, radar_yaml)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = _start(tmp_path_factory.mktemp("supervised"))
    yield started
    stop_web(started.process)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"  # a zombie has ended


def _workers(supervisor: int) -> list[int]:
    """The live worker processes of the supervisor (``python -m web.worker``), by pid."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        if parent == supervisor and b"web.worker" in command and _alive(int(entry.name)):
            found.append(int(entry.name))
    return sorted(found)


def _established(port: int) -> set[int]:
    """Socket inodes of the established TCP connections whose local side is ``port``: the server's side."""
    return tcp_inodes(ESTABLISHED, port)


def _held_by(pid: int, port: int) -> int:
    return len(socket_inodes(pid) & _established(port))


def _wait_until_every_worker_serves(
    url: str, port: int, supervisor: int, verify: ssl.SSLContext | bool
) -> None:
    """Connect until each worker has been handed a connection: from then on both are ready (a worker
    gets connections only once its app is loaded), so the dealing that follows is exact."""
    seen: set[int] = set()
    workers = _workers(supervisor)
    deadline = time.monotonic() + 60
    while seen != set(workers):
        if time.monotonic() > deadline:
            raise AssertionError(f"only workers {seen} of {workers} took connections")
        with httpx.Client(base_url=url, verify=verify, timeout=30) as client:
            assert client.get("/login").status_code == 200
            seen.update(pid for pid in workers if _held_by(pid, port))


def _wait_for(condition: object, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def test_keep_alive_connections_are_dealt_out_evenly_and_held_by_the_workers(server: Server) -> None:
    _wait_until_every_worker_serves(server.url, server.port, server.process.pid, verify=True)
    workers = _workers(server.process.pid)
    with ExitStack() as stack:
        clients = [stack.enter_context(httpx.Client(base_url=server.url, timeout=30)) for _ in range(10)]
        statuses = [client.get("/login").status_code for client in clients]  # each opens a connection
        connections = _established(server.port)
        held = {pid: len(socket_inodes(pid) & connections) for pid in workers}
        by_supervisor = len(socket_inodes(server.process.pid) & connections)

    assert statuses == [200] * 10
    assert len(workers) == 2
    assert len(connections) == 10
    assert sorted(held.values()) == [5, 5]  # one by one, in turn: an exact split
    assert by_supervisor == 0  # the supervisor only hands connections over


def test_a_killed_worker_is_replaced_and_the_app_keeps_answering(server: Server) -> None:
    before = _workers(server.process.pid)
    os.kill(before[0], signal.SIGKILL)
    _wait_for(lambda: not _alive(before[0]), "the killed worker to end")
    with ExitStack() as stack:
        # Meanwhile every connection goes to the worker still there.
        clients = [stack.enter_context(httpx.Client(base_url=server.url, timeout=30)) for _ in range(4)]
        meanwhile = [client.get("/login").status_code for client in clients]
    _wait_for(lambda: len(_workers(server.process.pid)) == 2, "a new worker")
    after = _workers(server.process.pid)
    answers = []
    for _ in range(6):
        with httpx.Client(base_url=server.url, timeout=30) as client:
            answers.append(client.get("/login").status_code)

    assert meanwhile == [200] * 4
    assert before[1] in after and before[0] not in after
    assert answers == [200] * 6
    assert server.process.poll() is None


def test_ctrl_c_stops_the_supervisor_and_every_worker(tmp_path: Path) -> None:
    started = _start(tmp_path)
    workers = _workers(started.process.pid)
    with httpx.Client(base_url=started.url, timeout=30) as idle:
        assert idle.get("/login").status_code == 200  # an idle keep-alive connection is no reason to stay
        started.process.send_signal(signal.SIGINT)
        code = started.process.wait(60)

    assert len(workers) == 2
    assert code == 0
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "the workers to end", timeout=10)


def test_a_taken_port_is_named_in_a_clear_error(server: Server) -> None:
    command = [sys.executable, "-m", "radar", "web", "-c", str(server.radar_yaml), "--port", str(server.port),
               "--insecure-cookies", "--workers", "2"]  # fmt: skip
    second = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)

    assert second.returncode != 0
    assert f"SR-E709: cannot listen on 127.0.0.1:{server.port}: the port is taken" in second.stderr
    assert server.process.poll() is None  # the running server is untouched


def test_tls_is_served_by_every_worker(tmp_path: Path) -> None:
    certificates = make_certificates(tmp_path / "tls")
    radar_yaml = write_config(tmp_path / "config")
    port = free_port()
    process = start_web(radar_yaml, port, "--workers", "2", "--tls-cert", str(certificates.cert_file),
                        "--tls-key", str(certificates.key_file))  # fmt: skip
    url = f"https://127.0.0.1:{port}"
    try:
        trust = ssl.create_default_context(cafile=certificates.ca_file)
        _wait_for(lambda: _answers(url, trust) or process.poll() is not None, "https")
        _wait_until_every_worker_serves(url, port, process.pid, verify=trust)
        workers = _workers(process.pid)
        with ExitStack() as stack:
            clients = [
                stack.enter_context(httpx.Client(base_url=url, verify=trust, timeout=30)) for _ in range(4)
            ]
            statuses = [client.get("/login").status_code for client in clients]
            connections = _established(port)
            held = sorted(len(socket_inodes(pid) & connections) for pid in workers)
    finally:
        stop_web(process)

    assert statuses == [200] * 4
    assert held == [2, 2]


def _answers(url: str, trust: ssl.SSLContext) -> bool:
    try:
        return httpx.get(url + "/login", verify=trust, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_a_worker_that_cannot_start_stops_the_server_with_an_error(tmp_path: Path) -> None:
    # Files the command accepts, but no certificate: each worker fails while loading them.
    not_a_certificate = tmp_path / "cert.pem"
    not_a_certificate.write_text("not a certificate\n")
    radar_yaml = write_config(tmp_path / "config")
    command = [sys.executable, "-m", "radar", "web", "-c", str(radar_yaml), "--port", str(free_port()),
               "--workers", "2", "--tls-cert", str(not_a_certificate),
               "--tls-key", str(not_a_certificate)]  # fmt: skip
    started = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)

    assert started.returncode != 0
    assert "SR-E710: web worker" in started.stderr
    assert "before it was ready" in started.stderr
