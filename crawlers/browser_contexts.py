"""The Playwright download handler of rendered sources, with its browser context recycled.

A browser context lives as long as scrapy-playwright's crawl unless someone closes it, and
what its renderers keep of the pages it showed makes the crawl's memory creep up over long
runs (docs/benchmarks.md, crawling). So after ``PLAYWRIGHT_CONTEXT_PAGES`` pages the
context is retired: the pages already open in it finish, the context is closed (Chromium
frees what it held), and the next page opens a fresh context under a new name. The crawl
pauses only for as long as the last pages of the old context take.

Each context is named ``rendered-<n>`` through the ``playwright_context`` request meta, the
way scrapy-playwright selects contexts; a closed context leaves its handler's table through
scrapy-playwright's own close callback.

Scrapy builds one download handler per URL scheme, and each scrapy-playwright handler starts
its own Playwright driver (a node process, ≈70–95 MB) when the crawl starts, and its own
Chromium on its first page: ``http`` and ``https`` gave every rendered crawl an idle second
driver, and a source with pages on both schemes two browsers with a context limit each. So
one handler serves both schemes of a crawl (``from_crawler``), and is closed once.

The driver is started with ``PLAYWRIGHT_DRIVER_NODE_OPTIONS`` added to ``NODE_OPTIONS``
(``DriverProvider``): Playwright starts node with a copy of our environment, so the options
are put there for the moment the driver is started and taken out again. The default,
``--max-semi-space-size=1``, is why the driver no longer grows: its live JavaScript heap stays
at ≈40 MB over a long crawl (heap snapshots at 100, 250 and 500 pages), but V8 doubles the
young generation under the driver's steady stream of protocol messages until it reaches 64 MB
(node's default for a 4 GB heap limit), which showed as ≈40–50 MB more driver memory between
100 and 250 pages. A 1 MB semi-space keeps it at 2 MB, for ≈12 % more driver CPU.
"""

from __future__ import annotations

import asyncio
import functools
import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.provider import PlaywrightBrowserProvider

from radar.logs import get_logger

log = get_logger("crawlers.browser_contexts")

# Pages per context before it is closed and a fresh one opened (setting PLAYWRIGHT_CONTEXT_PAGES;
# 0 keeps one context for the whole crawl, as scrapy-playwright does by itself).
DEFAULT_CONTEXT_PAGES = 50
# Longest wait (s) for the old context's last pages before it is closed under them anyway
# (navigation timeout, page methods and the screenshot of a slow page fit well within it).
DRAIN_TIMEOUT_S = 120.0
# Node options for Playwright's driver (setting PLAYWRIGHT_DRIVER_NODE_OPTIONS); see docs/crawling.md.
DEFAULT_DRIVER_NODE_OPTIONS = "--max-semi-space-size=1"


@contextmanager
def node_options_added(options: str) -> Iterator[None]:
    """``NODE_OPTIONS`` with ``options`` appended while the block runs, as it was afterwards."""
    before = os.environ.get("NODE_OPTIONS")
    if options:
        os.environ["NODE_OPTIONS"] = f"{before} {options}" if before else options
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("NODE_OPTIONS", None)
        else:
            os.environ["NODE_OPTIONS"] = before


class DriverProvider(PlaywrightBrowserProvider):  # type: ignore[misc]  # untyped base
    """scrapy-playwright's browser provider, starting Playwright's driver with our node options."""

    def __init__(self, config: Any, node_options: str = "") -> None:
        super().__init__(config)
        self.node_options = node_options

    async def start(self) -> None:
        # The driver copies os.environ when it is spawned, within this await. Another program
        # started meanwhile would get the options too, which only node reads.
        with node_options_added(self.node_options):
            log.info(
                "Starting Playwright's driver with NODE_OPTIONS=%s",
                os.environ.get("NODE_OPTIONS", ""),
                extra={"node_options": self.node_options},
            )
            await super().start()


class RecyclingPlaywrightHandler(ScrapyPlaywrightDownloadHandler):  # type: ignore[misc]  # untyped base
    """scrapy-playwright's handler, opening a fresh browser context every N pages; one per crawl."""

    # The handler of each running crawl, whichever scheme asked for it first.
    per_crawler: ClassVar[weakref.WeakKeyDictionary[Any, RecyclingPlaywrightHandler]] = (
        weakref.WeakKeyDictionary()
    )

    @classmethod
    def from_crawler(cls, crawler: Any) -> RecyclingPlaywrightHandler:
        # Scrapy asks once per scheme (http, https): both get the same handler, driver and browser.
        handler = cls.per_crawler.get(crawler)
        if handler is None:
            handler = cls.per_crawler[crawler] = cls(crawler)
        return handler

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.closed = False
        if crawler.settings.get("PLAYWRIGHT_BROWSER_PROVIDER"):
            log.warning("PLAYWRIGHT_BROWSER_PROVIDER is set: the driver's node options are not applied")
        else:
            options = crawler.settings.get("PLAYWRIGHT_DRIVER_NODE_OPTIONS", DEFAULT_DRIVER_NODE_OPTIONS)
            self.browser_provider_cls = functools.partial(DriverProvider, node_options=str(options or ""))
        self.context_pages = crawler.settings.getint("PLAYWRIGHT_CONTEXT_PAGES", DEFAULT_CONTEXT_PAGES)
        if self.context_pages < 0:
            raise ValueError(
                f"PLAYWRIGHT_CONTEXT_PAGES must be 0 (never recycle) or more, not {self.context_pages}"
            )
        if not callable(getattr(ScrapyPlaywrightDownloadHandler, "_create_page", None)):
            # The hook below is scrapy-playwright's own page factory (0.0.4x); a release without
            # it would silently never recycle, so say so and keep one context.
            log.warning(
                "This scrapy-playwright has no _create_page: browser contexts are not recycled",
                extra={"context_pages": self.context_pages},
            )
            self.context_pages = 0
        self.generation = 1
        self.pages_in_generation = 0
        self.open_pages = 0
        self.drained = asyncio.Event()
        self.drained.set()
        self.recycle_lock = asyncio.Lock()

    async def close(self) -> None:
        # Scrapy closes the handler of every scheme: the shared one only once.
        if self.closed:
            return
        self.closed = True
        await super().close()

    @property
    def context_name(self) -> str:
        return f"rendered-{self.generation}"

    async def _create_page(self, request: Any, spider: Any) -> Any:
        # Serialised, so every page of a context is created before that context is retired.
        async with self.recycle_lock:
            if self.context_pages and self.pages_in_generation >= self.context_pages:
                await self.retire_context()
            self.pages_in_generation += 1
            request.meta["playwright_context"] = self.context_name
            page = await super()._create_page(request=request, spider=spider)
            self.open_pages += 1
            self.drained.clear()
            page.on("close", self.page_closed)
        return page

    def page_closed(self, *_: Any) -> None:
        self.open_pages -= 1
        if self.open_pages <= 0:
            self.open_pages = 0
            self.drained.set()

    async def retire_context(self) -> None:
        """Close the current context once its open pages are done; the next page gets a new one."""
        name = self.context_name
        try:
            await asyncio.wait_for(self.drained.wait(), DRAIN_TIMEOUT_S)
        except TimeoutError:
            log.warning(
                "Browser context %s still had %d open page(s) after %.0f s; closing it anyway",
                name,
                self.open_pages,
                DRAIN_TIMEOUT_S,
                extra={"context": name, "open_pages": self.open_pages},
            )
        wrapper = self.context_wrappers.get(name)
        if wrapper is not None:
            await wrapper.context.close()
        self.stats.inc_value("playwright/context_recycled")
        self.generation += 1
        self.pages_in_generation = 0
