"""``smokkelradar web --workers 2``: two worker processes behind one port agree on sessions,
lock-outs and the audit log, because all three live in SQLite files, not in a worker's memory.

The server runs as an operator starts it (a child process, plain http on 127.0.0.1). Every
request below opens a new connection, so the requests are spread over both workers; the
assertions hold whichever worker answers each one. The pages used here never ask
Elasticsearch anything, so no node is needed.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from radar.config.loader import load_config
from tests.integration.web.conftest import free_port
from tests.integration.web.web_process import start_web, stop_web, wait_until_up
from tests.unit.web.support import PASSWORD, add_user, write_config
from web.audit import AuditFilter, AuditLog
from web.settings import WebSettings

LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')
CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    settings: WebSettings


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    radar_yaml = write_config(tmp_path_factory.mktemp("workers") / "config")
    settings = WebSettings.from_config(load_config(radar_yaml), secure_cookies=False)
    add_user(settings, "olga", "officer")
    add_user(settings, "adam", "admin")
    port = free_port()
    process = start_web(radar_yaml, port, "--workers", "2", "--lockout-failures", "3")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, timeout=90)
        yield Server(url, process, settings)
    finally:
        stop_web(process)


def _get(server: Server, path: str, cookie: str = "") -> httpx.Response:
    # A new client per request: a new connection, which either worker may accept.
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=30) as client:
        return client.get(path, headers={"Cookie": cookie} if cookie else {})


def _login(server: Server, name: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=30) as client:
        page = client.get("/login")
        token = LOGIN_TOKEN.search(page.text)
        assert token
        form = {"name": name, "password": password, "login_token": token.group(1)}
        return client.post("/login", data=form)


def test_two_worker_processes_serve_the_port(server: Server) -> None:
    commands = [Path(f"/proc/{pid}/cmdline").read_text() for pid in _children(server.process.pid)]

    assert sum("web.worker" in command for command in commands) == 2  # the supervisor's workers


def test_a_session_started_on_one_worker_is_known_to_all_and_ended_for_all(server: Server) -> None:
    answer = _login(server, "olga", PASSWORD)
    assert answer.status_code == 303
    cookie = f"sr_session={answer.cookies['sr_session']}"
    with ThreadPoolExecutor(max_workers=6) as pool:
        logged_in = list(pool.map(lambda _: _get(server, "/saved", cookie).status_code, range(30)))
    token = CSRF_TOKEN.search(_get(server, "/saved", cookie).text)
    assert token
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=30) as client:
        out = client.post("/logout", data={"csrf_token": token.group(1)}, headers={"Cookie": cookie})
    with ThreadPoolExecutor(max_workers=6) as pool:
        after = list(pool.map(lambda _: _get(server, "/saved", cookie), range(20)))

    assert logged_in == [200] * 30
    assert out.status_code == 303
    assert {a.status_code for a in after} == {303}
    assert {a.headers["location"] for a in after} == {"/login?next=%2Fsaved"}


def test_a_lock_out_counted_on_both_workers_holds_on_both(server: Server) -> None:
    failures = [_login(server, "adam", "not the password").status_code for _ in range(3)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        right = list(pool.map(lambda _: _login(server, "adam", PASSWORD).status_code, range(8)))

    assert failures == [401, 401, 429]
    assert right == [429] * 8


def test_the_audit_log_written_by_both_workers_is_one_unbroken_chain(server: Server) -> None:
    answer = _login(server, "olga", PASSWORD)
    cookie = f"sr_session={answer.cookies['sr_session']}"
    audit = AuditLog(server.settings.audit_path)
    try:
        before = audit.count(AuditFilter(action="saved_search"))
        with ThreadPoolExecutor(max_workers=10) as pool:
            statuses = list(pool.map(lambda _: _get(server, "/saved", cookie).status_code, range(60)))
        after = audit.count(AuditFilter(action="saved_search"))
        broken = audit.verify()
    finally:
        audit.close()

    assert statuses == [200] * 60
    assert after - before == 60  # every request recorded once, none lost, none doubled
    assert broken is None
