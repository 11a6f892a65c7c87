"""Pages that need JavaScript: the listing spider's walk, with every page rendered in Chromium.

Same keys as ``listing`` plus ``wait_for`` and ``scrolls``; see ``crawlers.rendering`` for
how a page is rendered, bounded, guarded and screenshotted. Rendered pages are not
conditional requests (the browser fetches them), but adverts already stored are skipped.
"""

from __future__ import annotations

from typing import Any

import scrapy
from scrapy.http import Response

from crawlers import rendering
from crawlers.egress.for_crawl import start_for_crawl
from crawlers.egress.guard_proxy import GuardProxy
from crawlers.items import Capture
from crawlers.middlewares.proxy import proxy_name, proxy_url
from crawlers.spiders.listing import ListingSpider
from radar.config.secrets import read_proxy_password
from radar.config.sources import RenderedSource


class RenderedSpider(ListingSpider):
    name = "rendered"
    kind = "rendered"
    source: RenderedSource
    guard_proxy: GuardProxy | None = None
    # Scrapy reads this class attribute; every page of a rendered source goes through Chromium.
    custom_settings = {"DOWNLOAD_HANDLERS": {"http": rendering.HANDLER, "https": rendering.HANDLER}}  # noqa: RUF012

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> RenderedSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if not isinstance(spider, RenderedSpider):
            raise TypeError("expected a RenderedSpider")
        context = spider.context
        proxy = context.config.proxy_for(context.source)
        name = proxy_name(context)
        base = crawler.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
        if crawler.settings.getbool("SSRF_ENABLED"):
            # Chromium connects only through our guard proxy, which checks every address
            # (redirect hops and sub-resources included) and goes on through the source's proxy.
            upstream = proxy_url(name or "", proxy) if proxy else None
            proxy_guard = start_for_crawl(crawler, context, upstream, "errors/ssrf_blocked_in_browser")
            spider.guard_proxy = proxy_guard  # robots.txt goes the same way (SourceProxyMiddleware)
            options = rendering.guarded_launch_options(
                base, proxy_guard.server, proxy_guard.user, proxy_guard.password
            )
        else:
            password = read_proxy_password(name) if proxy is not None and name and proxy.username else None
            options = rendering.launch_options(
                base,
                proxy.url if proxy else None,
                proxy.username if proxy else None,
                password.get_secret_value() if password else None,
            )
        crawler.settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", options, priority="spider")
        if crawler.settings.getbool("SSRF_ENABLED"):
            guard = rendering.BrowserGuard(crawler, via_proxy=proxy is not None)
            crawler.settings.set("PLAYWRIGHT_ABORT_REQUEST", guard, priority="spider")
        return spider

    def rendered_request(self, url: str, callback: Any, **meta: Any) -> scrapy.Request:
        selectors = self.source.selectors
        count_xpath = (selectors.item or selectors.links or self.source.wait_for).to_xpath()
        methods = rendering.page_methods(
            self.source.wait_for.to_xpath(), self.source.scrolls, count_xpath, screenshot=self.source.evidence
        )
        return self.page_request(url, callback, playwright=True, playwright_page_methods=methods, **meta)

    def listing_request(self, url: str, page_no: int) -> scrapy.Request:
        return self.rendered_request(url, self.parse_listing, page_no=page_no)

    def advert_request(self, url: str) -> scrapy.Request:
        return self.rendered_request(url, self.parse_advert)

    def capture(
        self, response: Response, *, rendered: bool = True, screenshot: bytes | None = None
    ) -> Capture | None:
        shot = screenshot or rendering.screenshot_of(response.meta)
        return super().capture(response, rendered=True, screenshot=shot)
