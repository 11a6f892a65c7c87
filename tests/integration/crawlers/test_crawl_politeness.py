"""Politeness and discretion: robots.txt, the configured user agent, a source's own proxy."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.integration.crawlers.loopback_http import QuietHandler, serving

SOURCES = """
sources:
  - name: private-area
    kind: listing
    start_urls: [DEMO/private/offers, DEMO/forum/]
    selectors:
      links: "li.thread a.thread-title::attr(href)"
      fields:
        body: "div.post-body"
    max_pages: 1
  - name: rude-board
    kind: listing
    start_urls: [DEMO/private/offers]
    robots: {obey: false, reason: "court order 2026-117 allows reading the private area"}
    selectors:
      item: "body"
      fields:
        body: "body"
"""


class _ForwardProxy(QuietHandler):
    """A plain HTTP proxy on 127.0.0.1: fetches the absolute URL it is asked for (the demo web)."""

    seen: list[str] = []  # noqa: RUF012 (one list shared by the handler instances of a test)

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        type(self).seen.append(self.path)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(self.path, timeout=10) as upstream:
                body, status, headers = upstream.read(), upstream.status, upstream.headers
        except urllib.error.HTTPError as error:
            body, status, headers = error.read(), error.code, error.headers
        self.send_response(status)
        self.send_header("Content-Type", headers.get("Content-Type", "text/html"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def proxy() -> Iterator[tuple[int, list[str]]]:
    _ForwardProxy.seen = []
    with serving(_ForwardProxy) as port:
        yield port, _ForwardProxy.seen


def test_robots_txt_is_obeyed_and_the_user_agent_is_ours(make_site: Callable[..., Any]) -> None:
    site = make_site(SOURCES, demo_sources=())
    report = site.crawl("listing", "private-area").report
    assert report["errors"] == {"robots_forbidden": 1}
    paths = [r.path for r in site.demo.requests]
    assert not any(path.startswith("/private/") for path in paths)
    assert report["adverts"]["new"] == 10  # the first forum page
    agents = {r.headers.get("User-Agent") for r in site.demo.requests}
    assert agents == {"smokkelradar-test/0.1 (+https://smokkelradar.example/test)"}


def test_ignoring_robots_needs_a_reason_that_every_run_logs(make_site: Callable[..., Any]) -> None:
    site = make_site(SOURCES, demo_sources=())
    outcome = site.crawl("listing", "rude-board")
    assert outcome.report["robots"] == {
        "obey": False,
        "reason": "court order 2026-117 allows reading the private area",
    }
    assert "court order 2026-117" in outcome.log
    assert any(r.path == "/private/offers" for r in site.demo.requests)


def test_a_source_goes_through_its_proxy(make_site: Callable[..., Any], proxy: tuple[int, list[str]]) -> None:
    port, seen = proxy
    site = make_site(demo_sources=("feed",))
    text = site.radar_yaml.read_text()
    site.radar_yaml.write_text(
        text + f'proxies:\n  local:\n    url: "http://127.0.0.1:{port}"\ndefault_proxy: local\n'
    )
    report = site.crawl("feed", "demo-feed").report
    assert report["adverts"]["new"] == len(site.demo.entries_of("feed"))
    assert f"{site.demo.url}/feed.xml" in seen and f"{site.demo.url}/robots.txt" in seen


def test_a_source_goes_through_its_socks5_proxy(
    make_site: Callable[..., Any], socks_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMOKKELRADAR_PROXY_TOR_PASSWORD", "s3cret pass")
    site = make_site(demo_sources=("feed",))
    text = site.radar_yaml.read_text()
    site.radar_yaml.write_text(
        text
        + f'proxies:\n  tor:\n    url: "{socks_server.url()}"\n    username: investigator\n'
        + "default_proxy: tor\n"
    )
    report = site.crawl("feed", "demo-feed").report
    assert report["adverts"]["new"] == len(site.demo.entries_of("feed")) > 0
    assert report["errors"] == {}
    # Every page came through the SOCKS proxy, which was given the checked address.
    paths = {r.path for r in site.demo.requests}
    assert {"/robots.txt", "/feed.xml"} <= paths
    assert socks_server.bad_logins == 0
    assert {(host, port) for host, port, _ in socks_server.connects} == {("127.0.0.1", site.demo.port)}
    assert len(socks_server.connects) >= len(site.demo.requests)


def test_through_socks_a_redirect_to_a_port_not_allowed_is_refused(
    make_site: Callable[..., Any], socks_server: Any, listener: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMOKKELRADAR_PROXY_TOR_PASSWORD", "s3cret pass")
    target = quote(f"http://localhost:{listener.port}/admin", safe="")
    site = make_site(
        f"""
sources:
  - name: socks-trap
    kind: listing
    start_urls: ["DEMO/redirect?to={target}"]
    proxy: tor
    selectors:
      item: "body"
      fields:
        body: "body"
""",
        demo_sources=(),
        allowed=("127.0.0.1:PORT",),
    )
    text = site.radar_yaml.read_text().replace("PORT", str(site.demo.port))
    site.radar_yaml.write_text(
        text + f'proxies:\n  tor:\n    url: "{socks_server.url()}"\n    username: investigator\n'
    )
    report = site.crawl("listing", "socks-trap").report
    assert report["errors"] == {"ssrf_blocked": 1}
    assert listener.connections == 0
    assert all(port == site.demo.port for _, port, _ in socks_server.connects)
