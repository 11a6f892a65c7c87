"""Classified sites and forums: listing pages with links to advert pages, or advert blocks.

From each start URL the spider reads listing pages: advert links (``selectors.links``) lead
to advert pages read with ``selectors.fields``; advert blocks (``selectors.item``) are read
in place. ``selectors.next`` leads to the next listing page, up to ``max_pages``. URLs must
pass ``allow`` and not match ``deny`` (regular expressions searched in the whole URL).

Incremental: listing pages are conditional requests, adverts stored by an earlier run are
not fetched again, and since listings show the newest first, a listing page that shows any
advert already stored is the last one walked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from parsel import Selector as Page
from scrapy.http import Response, TextResponse

from crawlers.extract import Scope, first_text, read_fields, select
from crawlers.items import Advert, Capture, canonical_url, utc_now
from crawlers.report import count
from crawlers.spiders.base import CHECK_ADVERTS, SourceSpider
from radar.config.sources import ListingSource, RenderedSource


class ListingSpider(SourceSpider):
    name = "listing"
    kind = "listing"
    source: ListingSource | RenderedSource

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.start_urls:
            yield self.listing_request(url, page_no=1)

    # -- requests (the rendered spider renders them instead) -------------------------------

    def listing_request(self, url: str, page_no: int) -> scrapy.Request:
        return self.page_request(url, self.parse_listing, conditional=True, page_no=page_no)

    def advert_request(self, url: str) -> scrapy.Request:
        return self.page_request(url, self.parse_advert)

    def allowed(self, url: str) -> bool:
        if not url.startswith(("http://", "https://")):
            return False
        if any(pattern.search(url) for pattern in self.source.deny):
            return False
        return not self.source.allow or any(pattern.search(url) for pattern in self.source.allow)

    # -- listing pages ---------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[Any]:
        page = self.readable(response)
        if page is None:
            return
        selectors = self.source.selectors
        found_seen = False
        if selectors.item is not None:
            blocks = select(page, selectors.item)
            self.notes.drift.tried("item", selectors.item, page.url, bool(blocks), required=True)
            capture = self.capture(response) if blocks else None  # one capture for every block of the page
            for block in blocks:
                advert = self.block_advert(page, block, capture)
                if advert is None:
                    continue
                if self.seen(advert.id):
                    found_seen = True
                    continue
                yield advert
        if selectors.links is not None:
            links = [urljoin(page.url, href.strip()) for href in select(page, selectors.links).getall()]
            self.notes.drift.tried("links", selectors.links, page.url, bool(links), required=True)
            wanted = [url for url in dict.fromkeys(links) if self.allowed(url)]
            if self.check_only:
                wanted = wanted[:CHECK_ADVERTS]
            for url in wanted:
                if self.seen(self.web_id(url)):
                    found_seen = True
                    continue
                yield self.advert_request(url)
        yield from self.next_page(page, found_seen)

    def next_page(self, page: TextResponse, found_seen: bool) -> Iterator[scrapy.Request]:
        selector = self.source.selectors.next
        page_no = int(page.meta.get("page_no", 1))
        if selector is None or self.check_only or found_seen or page_no >= self.source.max_pages:
            return
        href = first_text(select(page, selector))
        if href:
            url = urljoin(page.url, href)
            if self.allowed(url) and canonical_url(url) != canonical_url(page.url):
                yield self.listing_request(url, page_no + 1)

    # -- adverts -----------------------------------------------------------------------------

    def parse_advert(self, response: Response) -> Iterator[Advert]:
        page = self.readable(response)
        if page is None:
            return
        advert = self.read_advert(page, page, self.requested_url(response), self.capture(response))
        if advert is not None:
            yield advert

    def block_advert(self, page: TextResponse, block: Page, capture: Capture | None) -> Advert | None:
        fields = self.source.selectors.fields
        permalink = None
        if fields.permalink is not None:
            href = first_text(select(block, fields.permalink))
            permalink = urljoin(page.url, href) if href else None
        url = permalink or page.url
        return self.read_advert(page, block, url, capture, block_id=permalink is None)

    def read_advert(
        self, page: TextResponse, scope: Scope, url: str, capture: Capture | None, *, block_id: bool = False
    ) -> Advert | None:
        fields = self.source.selectors.fields
        found = read_fields(scope, fields, page.url)
        self.notes.drift.fields_tried(fields, found, page.url)
        if not found.body:
            count(self.crawler.stats, "dropped/no_body")
            return None
        # A block without its own URL is known by its text (its place on the page changes).
        locator = f"{canonical_url(url)}#text-{_short_hash(found.body)}" if block_id else canonical_url(url)
        details = {k: v for k, v in (("price_text", found.price), ("location_text", found.location)) if v}
        return self.advert(
            locator=locator,
            url=url,
            text=found.body,
            fetched_at=utc_now(),
            title=found.title,
            posted_text=found.posted,
            author=found.author,
            outlinks=found.outlinks,
            capture=capture,
            details=details,
        )


def _short_hash(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
