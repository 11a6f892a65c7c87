"""The SSRF guard in a real crawl: redirects from the demo web to loopback ports that
radar.yaml does not allow are refused before any connection is made.

Only 127.0.0.1 is allowed, and only on the demo web's own port. A listener on another
loopback port counts connections: it must see none. Every target here is on loopback,
so even a broken guard could not send a packet anywhere else; the refusal of private,
link-local and other addresses is tested without any network in the unit tests
(tests/unit/crawlers/test_crawl_address_policy.py).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest


class Listener:
    """A TCP port on 127.0.0.1 that counts the connections made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    port = Listener()
    yield port
    port.close()


def test_redirects_to_a_loopback_port_that_is_not_allowed_are_refused(
    make_site: Callable[..., Any], listener: Listener
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
