"""The SSRF guard in a real crawl: redirects from the demo web to loopback ports that
radar.yaml does not allow are refused before any connection is made.

Only 127.0.0.1 is allowed, and only on the demo web's own port. A listener on another
loopback port counts connections: it must see none. Every target here is on loopback,
so even a broken guard could not send a packet anywhere else; the refusal of private,
link-local and other addresses is tested without any network in the unit tests
(tests/unit/crawlers/test_crawl_address_policy.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from tests.integration.crawlers.loopback_http import QuietHandler, serving


def test_redirects_to_a_loopback_port_that_is_not_allowed_are_refused(
    make_site: Callable[..., Any], listener: Any
) -> None:
    targets = [
        f"http://127.0.0.1:{listener.port}/admin",
        f"http://localhost:{listener.port}/by-name",  # resolved (/etc/hosts) and refused on the address
        f"http://2130706433:{listener.port}/decimal",  # 127.0.0.1 written as one number
        f"http://127.0.0.1:{listener.port}/moved-permanently",
    ]
    redirects = [f"DEMO/redirect?to={quote(target, safe='')}" for target in targets[:3]]
    redirects.append(f"DEMO/redirect?status=301&to={quote(targets[3], safe='')}")
    start_urls = "\n".join(
        f"      - {url}" for url in [*redirects, f"http://127.0.0.1:{listener.port}/direct"]
    )
    site = make_site(
        f"""
sources:
  - name: trap
    kind: listing
    start_urls:
{start_urls}
    selectors:
      links: "a::attr(href)"
      fields:
        body: "body"
""",
        demo_sources=(),
        allowed=("127.0.0.1:PORT",),
    )
    # Allow only the demo web's own port (the fixture wrote the placeholder).
    site.radar_yaml.write_text(site.radar_yaml.read_text().replace("PORT", str(site.demo.port)))
    outcome = site.crawl("listing", "trap")
    report = outcome.report
    assert listener.connections == 0
    # Four redirect targets and the direct start URL, each refused once.
    assert report["errors"] == {"ssrf_blocked": 5}
    # The redirects themselves were followed from the allowed demo web.
    assert {r.path.split("?")[0] for r in site.demo.requests} == {"/robots.txt", "/redirect"}
    # The run log names each refused URL, the page that redirected there, and why.
    assert (
        f"SSRF guard refused http://localhost:{listener.port}/by-name "
        f"(redirected from {site.demo.url}/redirect" in outcome.log
    )
    assert f"loopback address 127.0.0.1 (port {listener.port}) is not in allowed_addresses" in outcome.log


def test_a_redirect_to_a_file_url_is_not_followed(make_site: Callable[..., Any]) -> None:
    site = make_site(
        """
sources:
  - name: file-trap
    kind: listing
    start_urls: ["DEMO/redirect?to=file%3A%2F%2F%2Fetc%2Fpasswd"]
    selectors:
      item: "body"
      fields:
        body: "body"
""",
        demo_sources=(),
    )
    report = site.crawl("listing", "file-trap").report
    # Scrapy answers a redirect to another scheme with the redirect itself; it never reads the file.
    assert report["adverts"]["new"] == 0
    assert report["errors"] == {"http_302": 1}
    assert site.spooled() == {}


class _Board(QuietHandler):
    """A page for Chromium: one advert, and sub-resources aimed at a port that is not allowed —
    directly, by name, and through a redirect on the demo web (which Playwright never sees)."""

    markup = ""

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        body = type(self).markup.encode() if self.path == "/board" else b"not found"
        self.send_response(200 if self.path == "/board" else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.mark.browser
def test_chromium_connects_to_no_address_that_is_not_allowed(
    make_site: Callable[..., Any], listener: Any
) -> None:
    trap = f"http://127.0.0.1:{listener.port}"
    site = make_site(demo_sources=(), allowed=("127.0.0.1:DEMO_PORT", "127.0.0.1:BOARD_PORT"))
    demo = site.demo.url
    _Board.markup = (
        "<html><body><div class='advert'><div class='advert-body'>Boat to Lampedusa, 3000 EUR</div></div>"
        f"<img src='{trap}/direct.png'>"
        f"<img src='{demo}/redirect?to={quote(trap + '/via-redirect.png', safe='')}'>"
        f"<script>fetch('http://localhost:{listener.port}/xhr').catch(() => null);</script>"
        "</body></html>"
    )
    with serving(_Board) as board_port:
        board_url = f"http://127.0.0.1:{board_port}"
        navigation = f"{demo}/redirect?to={quote(trap + '/navigation', safe='')}"
        (site.root / "sources" / "trap.yaml").write_text(
            f"""
sources:
  - name: rendered-trap
    kind: rendered
    start_urls: ["{board_url}/board", "{navigation}"]
    wait_for: "div.advert"
    selectors:
      item: "div.advert"
      fields:
        body: "div.advert-body"
    max_pages: 1
    evidence: false
    robots: {{obey: false, reason: "test pages without robots.txt"}}
""",
            encoding="utf-8",
        )
        text = site.radar_yaml.read_text()
        text = text.replace("DEMO_PORT", str(site.demo.port)).replace("BOARD_PORT", str(board_port))
        site.radar_yaml.write_text(text)
        outcome = site.crawl("rendered", "rendered-trap")
    report = outcome.report
    assert listener.connections == 0
    assert report["adverts"]["new"] == 1  # the board itself was rendered and read
    # Both redirects were served by the demo web and followed by Chromium into the guard proxy,
    # which refused the hop Playwright's request hook never sees.
    assert sum(1 for r in site.demo.requests if r.path.startswith("/redirect")) == 2
    assert f"SSRF guard refused a connection to 127.0.0.1:{listener.port}" in outcome.log
    assert report["errors"]["ssrf_blocked_in_browser"] >= 3
