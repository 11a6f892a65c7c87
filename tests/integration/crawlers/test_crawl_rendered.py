"""The rendered source in real headless Chromium (Debian's /usr/bin/chromium): the demo web's
JavaScript board shows nothing without a browser; rendered and scrolled, every advert is read,
with a full-page screenshot as evidence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from crawlers.items import canonical_url
from crawlers.text import tidy_text

pytestmark = pytest.mark.browser


def test_javascript_board_is_rendered_scrolled_and_read(make_site: Callable[..., Any]) -> None:
    site = make_site(demo_sources=("live",))
    demo = site.demo
    report = site.crawl("rendered", "demo-live").report
    items = site.spooled()
    entries = demo.entries_of("js")
    # The board loads 5 adverts per scroll: all of them means the scrolling worked.
    assert report["adverts"]["new"] == len(entries) == len(items) > 5
    assert report["errors"] == {} and report["drift"] == []
    for entry in entries:
        item = items[f"demo-live:{canonical_url(demo.url_for(entry.id))}"]
        assert item["text"] == tidy_text(entry.text), entry.id
        assert item["title"] == entry.title
        assert item["author"] == entry.author
        posted = datetime.fromisoformat(item["posted_at"].replace("Z", "+00:00"))
        if entry.posted_display is None:
            assert posted == entry.posted
        else:
            fetched = datetime.fromisoformat(item["fetched_at"].replace("Z", "+00:00"))
            assert timedelta(0) < fetched - posted <= timedelta(days=7)
    # One rendered page: one WARC record of its DOM and one screenshot, shared by its adverts.
    kinds = {ref["kind"]: ref for item in items.values() for ref in item["evidence"]}
    assert set(kinds) == {"warc", "screenshot"}
    png = (site.data / "evidence" / kinds["screenshot"]["path"]).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")

    again = site.crawl("rendered", "demo-live").report
    assert again["adverts"] == {"new": 0, "already_seen": len(entries), "dropped": {}}


def test_chromium_goes_through_the_sources_socks5_proxy_with_its_password(
    make_site: Callable[..., Any], socks_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Chromium cannot log in to a SOCKS proxy itself; the guard proxy does it for it.
    monkeypatch.setenv("SMOKKELRADAR_PROXY_TOR_PASSWORD", "s3cret pass")
    site = make_site(demo_sources=("live",))
    site.radar_yaml.write_text(
        site.radar_yaml.read_text()
        + f'proxies:\n  tor:\n    url: "{socks_server.url()}"\n    username: investigator\n'
        + "default_proxy: tor\n"
    )
    report = site.crawl("rendered", "demo-live").report
    assert report["adverts"]["new"] == len(site.demo.entries_of("js")) and report["errors"] == {}
    # The page, its script's requests and robots.txt: all through the SOCKS proxy, by address
    # (one connection per request through the guard proxy).
    assert "/robots.txt" in {r.path for r in site.demo.requests}
    assert socks_server.bad_logins == 0 and len(socks_server.connects) >= len(site.demo.requests) >= 2
    assert {(host, port) for host, port, _ in socks_server.connects} == {("127.0.0.1", site.demo.port)}


RENDERED_ADVERT_PAGES = """
sources:
  - name: demo-live-pages
    kind: rendered
    start_urls: ["DEMO/js/"]
    wait_for: "div.advert"
    scrolls: 10
    selectors:
      links: "a.advert-link::attr(href)"
      fields:
        title: "h2.advert-title a.advert-link::text"
        body: "div.advert-body"
    max_pages: 1
    politeness: {concurrency: 2, delay: 0s}
    evidence: true
"""


def test_browser_context_is_replaced_every_few_pages_and_nothing_is_lost(
    make_site: Callable[..., Any],
) -> None:
    # Every advert's own page rendered too, in contexts of 4 pages: the old context is closed
    # (its memory freed) and a fresh one opened, without losing or failing a page.
    site = make_site(RENDERED_ADVERT_PAGES, demo_sources=())
    outcome = site.crawl("rendered", "demo-live-pages", PLAYWRIGHT_CONTEXT_PAGES=4)
    report = outcome.report
    entries = site.demo.entries_of("js")
    assert report is not None
    assert report["errors"] == {} and report["drift"] == []
    assert report["adverts"]["new"] == len(entries) == len(site.spooled()) > 8
    pages = 1 + len(entries)  # the board, then every advert's page
    contexts = -(-pages // 4)
    assert f"'playwright/context_count': {contexts}," in outcome.log
    assert f"'playwright/context_recycled': {contexts - 1}," in outcome.log
    # Each advert page's screenshot was taken in whichever context it was rendered in.
    shots = [
        ref for item in site.spooled().values() for ref in item["evidence"] if ref["kind"] == "screenshot"
    ]
    assert len(shots) == len(entries)
