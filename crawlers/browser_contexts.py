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
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from radar.logs import get_logger

log = get_logger("crawlers.browser_contexts")

# Pages per context before it is closed and a fresh one opened (setting PLAYWRIGHT_CONTEXT_PAGES;
# 0 keeps one context for the whole crawl, as scrapy-playwright does by itself).
DEFAULT_CONTEXT_PAGES = 50
# Longest wait (s) for the old context's last pages before it is closed under them anyway
# (navigation timeout, page methods and the screenshot of a slow page fit well within it).
DRAIN_TIMEOUT_S = 120.0


class RecyclingPlaywrightHandler(ScrapyPlaywrightDownloadHandler):  # type: ignore[misc]  # untyped base
    """scrapy-playwright's handler, opening a fresh browser context every N pages."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
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
