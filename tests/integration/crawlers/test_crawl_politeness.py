"""Politeness and discretion: robots.txt, the configured user agent, a source's own proxy."""

from __future__ import annotations

import http.server
import threading
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from crawlers.runner import crawl_source

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


class _ForwardProxy(http.server.BaseHTTPRequestHandler):
    """A plain HTTP proxy on 127.0.0.1: fetches the absolute URL it is asked for (the demo web)."""

    seen: list[str] = []  # noqa: RUF012 (one list shared by the handler instances of a test)

    def do_GET(self) -> None:
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

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[tuple[int, list[str]]]:
    _ForwardProxy.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ForwardProxy)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.server_address[1], _ForwardProxy.seen
    server.shutdown()
    server.server_close()


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


def test_a_socks_proxy_is_refused_for_scrapy_downloads(make_site: Callable[..., Any]) -> None:
    site = make_site(demo_sources=("feed",))
    text = site.radar_yaml.read_text()
    site.radar_yaml.write_text(
        text + 'proxies:\n  tor:\n    url: "socks5h://127.0.0.1:9"\ndefault_proxy: tor\n'
    )
    outcome = crawl_source(
        "feed", "demo-feed", site.radar_yaml, settings={"ENRICH_ENABLED": False}, timeout=120
    )
    assert outcome.returncode == 1 and not outcome.ok  # refused before any request, never crawled direct
    assert "SR-E406" in outcome.log and "SOCKS proxy 'tor'" in outcome.log
    assert site.demo.requests == []
