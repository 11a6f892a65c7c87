"""Public Telegram channel previews (``https://t.me/s/<channel>``), page by page.

Each message is one advert: ``data-post`` gives ``<channel>/<id>``, ``time[datetime]`` the
date; the text keeps line breaks and emoji; views, forwarded-from, reply-to, link previews,
photos (their caption is the text) and outlinks go with it. Older pages are walked with
``?before=<id>`` up to the source's ``depth``; a later run stops at the channel's high-water
mark (the newest message stored by the previous run). The newest page is a conditional
request, so an unchanged channel costs one ``304``.

t.me quirks handled here: link-preview hrefs escaped twice (``&amp;`` left in the URL), and a
channel without a public preview answering with a redirect to its info page — reported in
the run's notes, never skipped silently. An empty channel is reported too.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector as Page
from scrapy.http import Response, TextResponse

from crawlers.extract import joined_text
from crawlers.items import Advert, Capture, utc_now
from crawlers.report import count
from crawlers.spiders.base import SourceSpider
from radar.config.sources import TelegramSource

MESSAGE = "div.tgme_widget_message[data-post]"
TEXT = "./div[contains(concat(' ', normalize-space(@class), ' '), ' tgme_widget_message_text ')]"
_BACKGROUND = re.compile(r"background-image:\s*url\(['\"]?([^'\")]+)")


def unquirk(href: str) -> str:
    """t.me escapes preview hrefs twice: after HTML parsing ``&amp;`` is still in the URL."""
    return html.unescape(href) if "&amp;" in href or "&#" in href else href


def views_of(text: str | None) -> int | None:
    """'987', '1.2K', '15.3K', '1.1M' as a number."""
    if not text:
        return None
    match = re.fullmatch(r"([\d.,]+)\s*([KkMm]?)", text.strip())
    if not match:
        return None
    number = float(match.group(1).replace(",", "."))
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return round(number * factor)


class TelegramSpider(SourceSpider):
    name = "telegram"
    kind = "telegram"
    source: TelegramSource

    def setup(self, context: Any, check_only: bool) -> None:
        super().setup(context, check_only)
        self.stored_numbers: dict[str, list[int]] = {}
        self.failed_numbers: dict[str, list[int]] = {}

    def preview_url(self, channel: str, before: int | None = None) -> str:
        url = f"{self.source.base_url.rstrip('/')}/s/{channel}"
        return f"{url}?before={before}" if before is not None else url

    async def start(self) -> AsyncIterator[Any]:
        channels = self.source.channels[:1] if self.check_only else self.source.channels
        for channel in channels:
            yield self.page_request(
                self.preview_url(channel), self.parse_channel, conditional=True, channel=channel, depth=0
            )

    def high_water(self, channel: str) -> int:
        return 0 if self.check_only else self.state.high_water.get(channel, 0)

    def parse_channel(self, response: Response) -> Iterator[Any]:
        channel, depth = str(response.meta["channel"]), int(response.meta["depth"])
        page = self.readable(response)
        if page is None:
            return
        messages = page.css(MESSAGE)
        if not messages and not _is_preview(page):
            self.no_preview(channel, page)
            return
        self.notes.drift.tried("message", _css(MESSAGE), page.url, bool(messages), required=depth == 0)
        if not messages:
            if depth == 0:
                self.notes.note("empty_channel", f"channel {channel} has no messages", channel=channel)
                count(self.crawler.stats, "empty_channels")
            return
        hwm = self.high_water(channel)
        capture = self.capture(response)
        numbers = []
        for message in messages:
            post = message.attrib.get("data-post", "")
            owner, _, number_text = post.rpartition("/")
            if not number_text.isdigit():
                count(self.crawler.stats, "dropped/bad_data_post")
                continue
            number = int(number_text)
            numbers.append(number)
            if number <= hwm:
                count(self.crawler.stats, "adverts_seen")
                continue
            advert = self.message_advert(page, message, owner or channel, number, capture)
            if advert is not None and not self.seen(advert.id):
                yield advert
        if not numbers or self.check_only:
            return
        oldest = min(numbers)
        if oldest <= hwm + 1:
            return  # reached what the last run stored
        before = page.css("a.tme_messages_more[data-before]::attr(data-before)").get()
        if before is None or not before.isdigit():
            return  # the channel's first message is on this page
        if depth >= self.source.depth:
            if hwm:
                self.notes.note(
                    "depth_reached",
                    f"channel {channel}: more new messages than depth {self.source.depth} pages hold; "
                    f"messages between {hwm} and {oldest} were not read",
                    channel=channel,
                )
            return
        yield self.page_request(
            self.preview_url(channel, int(before)), self.parse_channel, channel=channel, depth=depth + 1
        )

    def no_preview(self, channel: str, page: TextResponse) -> None:
        hops = page.meta.get("redirect_urls") or []
        where = f"redirected to {page.url}" if hops else f"{page.url} shows no messages section"
        self.notes.note(
            "no_public_preview",
            f"channel {channel} has no public preview ({where})",
            channel=channel,
            url=page.url,
        )
        count(self.crawler.stats, "errors/no_public_preview")

    def message_advert(
        self, page: TextResponse, message: Page, channel: str, number: int, capture: Capture | None
    ) -> Advert | None:
        bubble = message.css(".tgme_widget_message_bubble") or [message]
        text_nodes = bubble[0].xpath(TEXT)
        text = joined_text(text_nodes)
        photos = [
            urljoin(page.url, found.group(1))
            for style in message.css("a.tgme_widget_message_photo_wrap::attr(style)").getall()
            if (found := _BACKGROUND.search(style))
        ]
        if not text:
            count(self.crawler.stats, "dropped/no_text")
            return None
        previews = [
            {
                "url": unquirk(urljoin(page.url, card.attrib.get("href", ""))),
                "site": (card.css(".link_preview_site_name::text").get() or "").strip(),
                "title": (card.css(".link_preview_title::text").get() or "").strip(),
                "description": (card.css(".link_preview_description::text").get() or "").strip(),
            }
            for card in message.css("a.tgme_widget_message_link_preview")
        ]
        links = [unquirk(urljoin(page.url, href)) for href in text_nodes.xpath(".//a/@href").getall()]
        outlinks = list(
            dict.fromkeys(u for u in [*links, *(p["url"] for p in previews)] if u.startswith("http"))
        )
        forwarded = message.css(".tgme_widget_message_forwarded_from_name")
        forwarded_from = None
        if forwarded:
            name = joined_text(forwarded[:1])
            href = forwarded[0].attrib.get("href")
            forwarded_from = {"name": name, "url": urljoin(page.url, href) if href else None}
        reply_href = message.css("a.tgme_widget_message_reply::attr(href)").get()
        reply_to = _message_number(reply_href)
        signature = (message.css(".tgme_widget_message_from_author::text").get() or "").strip()
        post_url = message.css("a.tgme_widget_message_date::attr(href)").get()
        url = (
            urljoin(page.url, post_url)
            if post_url
            else f"{self.source.base_url.rstrip('/')}/{channel}/{number}"
        )
        details: dict[str, Any] = {
            "channel": channel,
            "message_id": number,
            "views": views_of(message.css(".tgme_widget_message_views::text").get()),
            "forwarded_from": forwarded_from,
            "reply_to": reply_to,
            "link_previews": previews,
            "media": [{"kind": "photo", "url": url_} for url_ in photos],
            "media_caption": text if photos else None,
        }
        return self.advert(
            locator=f"{channel}/{number}",
            url=url,
            text=text,
            fetched_at=utc_now(),
            posted_text=message.css(".tgme_widget_message_date time::attr(datetime)").get(),
            author=signature or (forwarded_from or {}).get("name") or None,
            outlinks=outlinks,
            capture=capture,
            details=details,
        )

    # -- the high-water mark ------------------------------------------------------------------

    def remember(self, item: Advert) -> None:
        super().remember(item)
        self.stored_numbers.setdefault(str(item.details["channel"]), []).append(
            int(item.details["message_id"])
        )

    def store_failed(self, item: Advert) -> None:
        super().store_failed(item)
        self.failed_numbers.setdefault(str(item.details["channel"]), []).append(
            int(item.details["message_id"])
        )

    def commit_state(self) -> None:
        for channel, numbers in self.stored_numbers.items():
            mark = max(numbers)
            failed = self.failed_numbers.get(channel)
            if failed:
                mark = min(mark, min(failed) - 1)  # the next run goes back to the first failure
            self.state.high_water[channel] = max(self.state.high_water.get(channel, 0), mark)


def _is_preview(page: TextResponse) -> bool:
    return urlsplit(page.url).path.startswith("/s/") and bool(
        page.css("section.tgme_channel_history, .tme_no_messages_found")
    )


def _message_number(href: str | None) -> int | None:
    if not href:
        return None
    last = urlsplit(href).path.rstrip("/").rpartition("/")[2]
    return int(last) if last.isdigit() else None


def _css(query: str) -> Any:
    from radar.config.types import Selector

    return Selector.model_validate(f"css:{query}")
