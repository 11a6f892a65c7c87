"""Rendering pages in headless Chromium through scrapy-playwright, bounded and guarded.

Debian's ``/usr/bin/chromium`` (``PLAYWRIGHT_LAUNCH_OPTIONS`` in ``crawlers.settings``; never
``playwright install``). Each page: wait for the source's ``wait_for`` selector, scroll to
the bottom up to ``scrolls`` times (stopping early once nothing more loads), then — for
evidence — a full-page PNG screenshot; scrapy-playwright closes the page afterwards. At most
``PLAYWRIGHT_MAX_CONTEXTS`` contexts with ``PLAYWRIGHT_MAX_PAGES_PER_CONTEXT`` pages each
(the source's concurrency) are open at once, and every ``PLAYWRIGHT_CONTEXT_PAGES`` pages the
context is closed and a fresh one opened (``crawlers.browser_contexts``), so what Chromium's
renderers keep of earlier pages is given back over long crawls.

Every connection the browser makes goes through the guard proxy on 127.0.0.1
(``crawlers.egress.guard_proxy``), which checks the address it connects to — redirect hops
Chromium follows itself and sub-resources included — and refuses with a 403. Before that,
every request Playwright sees (not redirect hops) passes the SSRF policy in ``BrowserGuard``
and is aborted when refused. Both count ``ssrf_blocked_in_browser``.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from crawlers.middlewares.address_policy import AddressPolicy
from crawlers.report import count
from radar.logs import get_logger

log = get_logger("crawlers.rendering")

# scrapy-playwright's handler, with a fresh browser context every PLAYWRIGHT_CONTEXT_PAGES pages.
HANDLER = "crawlers.browser_contexts.RecyclingPlaywrightHandler"
# Wait at most this long (ms) after a scroll for more adverts to appear.
SCROLL_SETTLE_MS = 2500
WAIT_FOR_TIMEOUT_MS = 15_000
# Chromium's resolver answers "not found" for every name (the guard proxy resolves them).
NO_LOCAL_RESOLUTION = "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"

SCROLL_SCRIPT = """async ({xpath, times, settle}) => {
  const count = () => document.evaluate(
    `count(${xpath})`, document, null, XPathResult.NUMBER_TYPE, null).numberValue;
  for (let i = 0; i < times; i++) {
    const before = count();
    window.scrollTo(0, document.documentElement.scrollHeight);
    const started = Date.now();
    while (count() === before && Date.now() - started < settle) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (count() === before) {
      break;
    }
  }
  return count();
}"""


def page_methods(wait_for_xpath: str, scrolls: int, count_xpath: str, screenshot: bool) -> list[Any]:
    from scrapy_playwright.page import PageMethod

    # "attached": the selector matches, visible or not (an empty marker element counts too).
    methods = [
        PageMethod(
            "wait_for_selector", f"xpath={wait_for_xpath}", state="attached", timeout=WAIT_FOR_TIMEOUT_MS
        )
    ]
    if scrolls:
        arguments = {"xpath": count_xpath, "times": scrolls, "settle": SCROLL_SETTLE_MS}
        methods.append(PageMethod("evaluate", SCROLL_SCRIPT, arguments))
    if screenshot:
        methods.append(PageMethod("screenshot", full_page=True, type="png"))
    return methods


def screenshot_of(meta: dict[str, Any]) -> bytes | None:
    for method in reversed(meta.get("playwright_page_methods") or []):
        if getattr(method, "method", None) == "screenshot" and isinstance(method.result, bytes):
            return bytes(method.result)
    return None


def launch_options(
    base: dict[str, Any], proxy_url: str | None, username: str | None, password: str | None
) -> dict[str, Any]:
    """The launch options with the source's proxy (Chromium speaks HTTP and SOCKS proxies itself)."""
    options = dict(base)
    if proxy_url:
        proxy: dict[str, str] = {"server": proxy_url}
        if username:
            proxy["username"] = username
            proxy["password"] = password or ""
        options["proxy"] = proxy
    return options


def guarded_launch_options(base: dict[str, Any], server: str, username: str, password: str) -> dict[str, Any]:
    """The launch options that send every connection of Chromium through the guard proxy.

    Playwright adds ``--proxy-bypass-list=<-loopback>``, so loopback addresses go through the
    proxy too (Chromium would otherwise connect to them directly); and Chromium is told it can
    resolve no name at all except the proxy's address, so it never looks anything up itself.
    """
    options = launch_options(base, server, username, password)
    options["args"] = [*options.get("args", []), f"--host-resolver-rules={NO_LOCAL_RESOLUTION}"]
    return options


class BrowserGuard:
    """``PLAYWRIGHT_ABORT_REQUEST``: True (abort) for a browser request the SSRF policy refuses."""

    ALWAYS_FINE = ("data:", "blob:", "about:")

    def __init__(self, crawler: Any, via_proxy: bool) -> None:
        # Built with the spider, before the crawl has stats: policy and stats are looked up on use.
        self.crawler = crawler
        self.via_proxy = via_proxy
        self._policy: AddressPolicy | None = None
        self._verdicts: dict[str, str | None] = {}

    @property
    def policy(self) -> AddressPolicy:
        if self._policy is None:
            from crawlers.middlewares.ssrf import policy_for

            self._policy = policy_for(self.crawler)
        return self._policy

    async def __call__(self, request: Any) -> bool:
        url = str(request.url)
        if url.startswith(self.ALWAYS_FINE):
            return False
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._verdicts:
            self._verdicts[origin] = await asyncio.to_thread(
                self.policy.refusal, url, via_proxy=self.via_proxy
            )
        refusal = self._verdicts[origin]
        if refusal is None:
            return False
        count(self.crawler.stats, "errors/ssrf_blocked_in_browser")
        log.warning(
            "SSRF guard aborted a browser request to %s: %s",
            url,
            refusal,
            extra={"url": url, "reason": refusal},
        )
        return True
