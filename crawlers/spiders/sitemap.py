"""Sitemaps and sitemap indexes: pages listed there whose URL passes ``allow``/``deny`` and whose
``lastmod`` is recent enough (``lastmod_since``) are read as adverts with ``fields``.

Sitemap files are conditional requests. A page already stored is fetched again only when
its ``lastmod`` is newer than the one recorded when it was stored; at most ``max_pages``
pages are fetched per run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from scrapy.http import Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from crawlers.dates import parse_posted
from crawlers.extract import read_fields
from crawlers.items import Advert, canonical_url, utc_now
from crawlers.report import count
from crawlers.spiders.base import CHECK_ADVERTS, SourceSpider
from radar.config.sources import SitemapSource

MAX_NESTING = 3


def _moment(text: str | None) -> datetime | None:
    return parse_posted(text, (), datetime.now(UTC)) if text else None


class SitemapSpider(SourceSpider):
    name = "sitemap"
    kind = "sitemap"
    source: SitemapSource

    def setup(self, context: Any, check_only: bool) -> None:
        super().setup(context, check_only)
        self.pages_left = CHECK_ADVERTS if check_only else self.source.max_pages
        self.cutoff = self._cutoff(self.source.lastmod_since)

    @staticmethod
    def _cutoff(since: date | timedelta | None) -> datetime | None:
        if since is None:
            return None
        if isinstance(since, timedelta):
            return datetime.now(UTC) - since
        return datetime(since.year, since.month, since.day, tzinfo=UTC)

    async def start(self) -> AsyncIterator[Any]:
        yield self.page_request(self.source.sitemap_url, self.parse_sitemap, conditional=True, nesting=0)

    def allowed(self, url: str) -> bool:
        if any(pattern.search(url) for pattern in self.source.deny):
            return False
        return not self.source.allow or any(pattern.search(url) for pattern in self.source.allow)

    def recent(self, lastmod: datetime | None) -> bool:
        return self.cutoff is None or lastmod is None or lastmod >= self.cutoff

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except OSError as error:
                count(self.crawler.stats, "errors/bad_sitemap")
                self.notes.note("bad_sitemap", f"{response.url}: {error}", url=response.url)
                return
        try:
            sitemap = Sitemap(body)
        except Exception as error:  # lxml raises several types on a body that is not XML
            count(self.crawler.stats, "errors/bad_sitemap")
            self.notes.note("bad_sitemap", f"{response.url} is not a sitemap: {error}", url=response.url)
            return
        nesting = int(response.meta.get("nesting", 0))
        if sitemap.type == "sitemapindex":
            if nesting >= MAX_NESTING:
                return
            for entry in sitemap:
                if self.recent(_moment(entry.get("lastmod"))) and entry.get("loc"):
                    yield self.page_request(
                        entry["loc"], self.parse_sitemap, conditional=True, nesting=nesting + 1
                    )
            return
        for entry in sitemap:
            request = self.page_for(entry)
            if request is not None:
                yield request

    def page_for(self, entry: dict[str, Any]) -> Any:
        url = entry.get("loc")
        if not url or not self.allowed(url):
            return None
        lastmod_text = entry.get("lastmod") or ""
        lastmod = _moment(lastmod_text)
        if not self.recent(lastmod):
            return None
        stored = None if self.check_only else self.state.seen.get(self.web_id(url))
        if stored is not None:
            before = _moment(stored)
            if lastmod is None or before is None or lastmod <= before:
                count(self.crawler.stats, "adverts_seen")
                return None
        if self.pages_left <= 0:
            count(self.crawler.stats, "skipped_max_pages")
            return None
        self.pages_left -= 1
        return self.page_request(url, self.parse_page, lastmod=lastmod_text)

    def parse_page(self, response: Response) -> Iterator[Advert]:
        page = self.readable(response)
        if page is None:
            return
        found = read_fields(page, self.source.fields, page.url)
        self.notes.drift.fields_tried(self.source.fields, found, page.url)
        if not found.body:
            count(self.crawler.stats, "dropped/no_body")
            return
        yield self.advert(
            locator=canonical_url(self.requested_url(response)),
            url=self.requested_url(response),
            text=found.body,
            fetched_at=utc_now(),
            title=found.title,
            posted_text=found.posted,
            author=found.author,
            outlinks=found.outlinks,
            capture=self.capture(response),
            details={"lastmod": response.meta.get("lastmod") or None},
        )
