"""The guard proxy (crawlers.egress) on real sockets: it connects only to addresses the SSRF
rule allows — the address it checked, never a second lookup — directly or through a real
SOCKS 5 proxy, and serves only clients that know its credentials.

Everything listens on 127.0.0.1; the SOCKS server of conftest.py refuses any other target.
"""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawlers.egress.guard_proxy import GuardProxy
from crawlers.egress.upstream import Upstream
from crawlers.middlewares.address_policy import AddressPolicy
from tests.integration.crawlers.loopback_http import QuietHandler, serving


class _Page(QuietHandler):
    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        body = f"page {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def page_port() -> Iterator[int]:
    with serving(_Page) as port:
        yield port


def _policy(allowed_port: int, names: dict[str, list[str]] | None = None) -> AddressPolicy:
    """Only 127.0.0.1:allowed_port; ``names`` is the resolver (a name the test made up)."""

    def lookup(host: str, port: int) -> list[str]:
        if names is None or host not in names:
            raise OSError(f"test resolver: no name {host}")
        return names[host]

    return AddressPolicy(lambda address, port: address == "127.0.0.1" and port == allowed_port, lookup)


def _fetch(proxy_url: str, url: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy_url}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def guards() -> Iterator[list[GuardProxy]]:
    started: list[GuardProxy] = []
    yield started
    for guard in started:
        guard.stop()


def test_direct_the_guard_connects_to_allowed_addresses_only(
    page_port: int, listener: Any, guards: list[GuardProxy]
) -> None:
    names = {"rebound.test": ["127.0.0.1"]}
    guard = GuardProxy(_policy(page_port, names)).start()
    guards.append(guard)
    assert _fetch(guard.url, f"http://127.0.0.1:{page_port}/advert/1") == (200, "page /advert/1")
    assert _fetch(guard.url, f"http://rebound.test:{page_port}/by-name") == (200, "page /by-name")
    status, body = _fetch(guard.url, f"http://127.0.0.1:{listener.port}/admin")
    assert status == 403 and f"loopback address 127.0.0.1 (port {listener.port})" in body
    # A name is judged by the address it resolves to, here and now.
    status, body = _fetch(guard.url, f"http://rebound.test:{listener.port}/")
    assert status == 403 and "host 'rebound.test' resolves to loopback address" in body
    assert listener.connections == 0
    assert [target for target, _ in guard.refused] == [
        f"127.0.0.1:{listener.port}",
        f"rebound.test:{listener.port}",
    ]


def test_the_guard_serves_only_clients_with_its_credentials(page_port: int, guards: list[GuardProxy]) -> None:
    guard = GuardProxy(_policy(page_port)).start()
    guards.append(guard)
    status, _ = _fetch(guard.server, f"http://127.0.0.1:{page_port}/")
    assert status == 407
    status, _ = _fetch(f"http://{guard.user}:wrong@127.0.0.1:{guard.port}", f"http://127.0.0.1:{page_port}/")
    assert status == 407


def test_through_socks5_the_address_checked_is_the_address_the_proxy_connects_to(
    page_port: int, listener: Any, socks_server: Any, guards: list[GuardProxy]
) -> None:
    upstream = Upstream.parse(f"socks5://investigator:s3cret%20pass@127.0.0.1:{socks_server.port}")
    names = {"adverts.test": ["127.0.0.1"]}
    guard = GuardProxy(_policy(page_port, names), upstream).start()
    guards.append(guard)
    assert _fetch(guard.url, f"http://adverts.test:{page_port}/x") == (200, "page /x")
    assert _fetch(guard.url, f"http://adverts.test:{listener.port}/y")[0] == 403
    # The SOCKS proxy was given the checked address, never the name; the refused one not at all.
    assert socks_server.connects == [("127.0.0.1", page_port, "ipv4")]
    assert listener.connections == 0


def test_through_socks5h_the_proxy_resolves_and_literal_loopback_is_still_refused(
    page_port: int, listener: Any, socks_server: Any, guards: list[GuardProxy]
) -> None:
    socks_server.names["adverts.test"] = "127.0.0.1"
    upstream = Upstream.parse(f"socks5h://investigator:s3cret%20pass@127.0.0.1:{socks_server.port}")
    guard = GuardProxy(_policy(page_port), upstream).start()  # the test resolver knows no name
    guards.append(guard)
    assert _fetch(guard.url, f"http://adverts.test:{page_port}/z") == (200, "page /z")
    assert _fetch(guard.url, f"http://127.0.0.1:{listener.port}/")[0] == 403
    assert _fetch(guard.url, f"http://localhost:{listener.port}/")[0] == 403  # a local name
    assert socks_server.connects == [("adverts.test", page_port, "name")]
    assert listener.connections == 0


def test_a_wrong_socks_password_is_a_bad_gateway_not_a_direct_connection(
    page_port: int, socks_server: Any, guards: list[GuardProxy]
) -> None:
    upstream = Upstream.parse(f"socks5://investigator:wrong@127.0.0.1:{socks_server.port}")
    guard = GuardProxy(_policy(page_port), upstream).start()
    guards.append(guard)
    status, body = _fetch(guard.url, f"http://127.0.0.1:{page_port}/")
    assert status == 502 and "user name or password" in body
    assert socks_server.bad_logins == 1 and socks_server.connects == []


def _connect_through(guard: GuardProxy, authority: str) -> tuple[bytes, socket.socket]:
    """Ask the guard for a CONNECT tunnel (as Scrapy does for https:// and Chromium for all)."""
    token = base64.b64encode(f"{guard.user}:{guard.password}".encode()).decode()
    client = socket.create_connection(("127.0.0.1", guard.port), timeout=10)
    head = f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\nProxy-Authorization: Basic {token}"
    client.sendall(f"{head}\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = client.recv(4096)
        if not chunk:
            break
        answer += chunk
    return answer, client


def test_connect_tunnels_are_checked_the_same_way(
    page_port: int, listener: Any, socks_server: Any, guards: list[GuardProxy]
) -> None:
    upstream = Upstream.parse(f"socks5://investigator:s3cret%20pass@127.0.0.1:{socks_server.port}")
    guard = GuardProxy(_policy(page_port), upstream).start()
    guards.append(guard)
    answer, client = _connect_through(guard, f"127.0.0.1:{page_port}")
    with client:
        assert answer.startswith(b"HTTP/1.1 200")
        client.sendall(b"GET /tunnelled HTTP/1.0\r\n\r\n")
        response = b""
        while chunk := client.recv(4096):
            response += chunk
    assert response.startswith(b"HTTP/1.0 200") and response.endswith(b"page /tunnelled")
    answer, client = _connect_through(guard, f"127.0.0.1:{listener.port}")
    client.close()
    assert answer.startswith(b"HTTP/1.1 403")
    assert listener.connections == 0
    assert socks_server.connects == [("127.0.0.1", page_port, "ipv4")]


def test_an_https_target_the_guard_refuses_is_an_ssrf_refusal_not_a_connection_error(
    page_port: int, listener: Any, socks_server: Any
) -> None:
    """Scrapy sees only its CONNECT fail; the crawl must count an SSRF refusal, once, not retry it."""
    helper = Path(__file__).with_name("guard_refusal_crawl.py")
    done = subprocess.run(
        [sys.executable, str(helper), socks_server.url(), str(listener.port), str(page_port)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome == {"failures": ["ssrf_blocked"], "refused": [f"127.0.0.1:{listener.port}"]}
    assert listener.connections == 0 and socks_server.connects == []
