"""RSS 2.0 and Atom feeds: each entry is an advert.

With ``follow_links: false`` the feed's own text (RSS ``description`` / ``content:encoded``,
Atom ``content`` / ``summary``) is the advert; with ``follow_links: true`` the entry's page
is fetched and read with the source's ``fields``, the feed filling in what they miss. An
entry is known by its link (or its guid when it has none). The feed is a conditional
request, so an unchanged feed costs one ``304``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin

from parsel import Selector as Page
from scrapy.http import Response

from crawlers.extract import read_fields
from crawlers.items import Advert, Capture, canonical_url, utc_now
from crawlers.report import count
from crawlers.spiders.base import SourceSpider
from crawlers.text import html_fragment_text, tidy_text
from radar.config.sources import FeedSource


def _first(node: Page, *queries: str) -> str | None:
    for query in queries:
        value = node.xpath(query).get()
        if value and value.strip():
            return value.strip()
    return None


class FeedSpider(SourceSpider):
    name = "feed"
    kind = "feed"
    source: FeedSource

    async def start(self) -> AsyncIterator[Any]:
        yield self.page_request(self.source.feed_url, self.parse_feed, conditional=True)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        page = self.readable(response)
        if page is None:
            return
        try:
            document = Page(body=page.body, type="xml", encoding=page.encoding)
        except ValueError as error:
            count(self.crawler.stats, "errors/not_a_feed")
            self.notes.note("not_a_feed", f"{page.url} is not RSS or Atom: {error}", url=page.url)
            return
        document.remove_namespaces()
        entries = document.xpath("//item") or document.xpath("//entry")
        if not entries:
            if not document.xpath("/rss | /feed | /RDF"):
                count(self.crawler.stats, "errors/not_a_feed")
                self.notes.note("not_a_feed", f"{page.url} is not RSS or Atom", url=page.url)
            return
        capture = self.capture(response)
        for entry in entries:
            yield from self.entry(entry, page.url, capture)

    def entry(self, node: Page, feed_url: str, capture: Capture | None) -> Iterator[Any]:
        link = _first(node, "link/text()", "link[@rel='alternate']/@href", "link[not(@rel)]/@href")
        guid = _first(node, "guid/text()", "id/text()")
        if not link and not guid:
            count(self.crawler.stats, "dropped/entry_without_link")
            return
        url = urljoin(feed_url, link) if link else feed_url
        locator = canonical_url(url) if link else f"{canonical_url(feed_url)}#guid={guid}"
        if self.seen(f"{self.source.name}:{locator}"):
            return
        values = {
            "title": _first(node, "title/text()"),
            "posted": _first(node, "pubDate/text()", "published/text()", "date/text()", "updated/text()"),
            "author": _first(node, "creator/text()", "author/name/text()", "author/text()"),
            "text": _entry_text(node),
        }
        if self.source.follow_links and link:
            yield self.page_request(url, self.parse_entry_page, entry=values, locator=locator)
            return
        advert = self.feed_advert(locator, url, values, capture)
        if advert is not None:
            yield advert

    def parse_entry_page(self, response: Response) -> Iterator[Advert]:
        page = self.readable(response)
        if page is None or self.source.fields is None:
            return
        values = dict(response.meta["entry"])
        found = read_fields(page, self.source.fields, page.url)
        self.notes.drift.fields_tried(self.source.fields, found, page.url)
        values.update(
            {
                k: v
                for k, v in (("title", found.title), ("posted", found.posted), ("author", found.author))
                if v
            }
        )
        if found.body:
            values["text"] = found.body
        advert = self.feed_advert(str(response.meta["locator"]), page.url, values, self.capture(response))
        if advert is not None:
            advert.outlinks = found.outlinks
            yield advert

    def feed_advert(
        self, locator: str, url: str, values: dict[str, Any], capture: Capture | None
    ) -> Advert | None:
        if not values.get("text"):
            count(self.crawler.stats, "dropped/no_body")
            return None
        return self.advert(
            locator=locator,
            url=url,
            text=values["text"],
            fetched_at=utc_now(),
            title=values.get("title"),
            posted_text=values.get("posted"),
            author=values.get("author"),
            capture=capture,
        )


def _entry_text(node: Page) -> str:
    """The entry's text: HTML content read as a page would show it, plain text tidied."""
    for query in ("encoded", "content", "description", "summary"):
        found = node.xpath(query)
        if not found:
            continue
        raw = found[0].xpath("string()").get() or ""
        kind = (
            found[0].attrib.get("type") or ("html" if query in ("encoded", "description") else "text")
        ).lower()
        text = html_fragment_text(raw) if "html" in kind else tidy_text(raw)
        if text:
            return text
    return ""
