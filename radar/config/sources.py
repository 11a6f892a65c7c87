"""Schema of ``sources/*.yaml``: what to crawl, how often and how politely.

A file holds a list under ``sources:``; each entry is one source, its ``kind`` picking the
spider (listing, telegram, feed, sitemap, rendered) and the keys that kind accepts.
A file with only comments defines nothing and is valid.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, PlainValidator, model_validator

from radar.config.base import StrictModel
from radar.config.types import (
    Duration,
    HttpUrl,
    Name,
    OneOrMany,
    PositiveDuration,
    Regex,
    Selector,
    parse_duration,
    shown,
)


def _check_language(code: str) -> str:
    from dateparser.data import language_locale_dict  # lazy: only needed when sources are loaded

    if code not in language_locale_dict:
        raise ValueError(
            f"dateparser does not know the language {shown(code)}; use codes such as 'ar', 'fa', 'ckb'"
        )
    return code


# A language code that dateparser understands (posted dates are parsed in these languages).
Language = Annotated[str, AfterValidator(_check_language)]


def _check_cron(expression: str) -> str:
    from apscheduler.triggers.cron import CronTrigger  # lazy: the scheduler's own parser, so both agree

    try:
        CronTrigger.from_crontab(expression)
    except ValueError as error:
        raise ValueError(
            f"bad cron expression {shown(expression)} (minute hour day month weekday): {error}"
        ) from error
    return expression


class Schedule(StrictModel):
    """When the scheduler crawls: ``every: 30m`` or ``cron: '0 */2 * * *'``, plus a random ``jitter``."""

    every: PositiveDuration | None = None
    cron: Annotated[str, AfterValidator(_check_cron)] | None = None
    jitter: Duration = timedelta(minutes=2)

    @model_validator(mode="after")
    def _exactly_one(self) -> Schedule:
        if (self.every is None) == (self.cron is None):
            raise ValueError("give exactly one of 'every' (e.g. '1h') or 'cron' (e.g. '0 */2 * * *')")
        return self


class Politeness(StrictModel):
    # Requests in flight at once to one site.
    concurrency: int = Field(default=2, ge=1, le=16)
    # Pause between requests to one site (AutoThrottle may lengthen it, never shorten it).
    delay: Duration = timedelta(seconds=1)


class Robots(StrictModel):
    obey: bool = True
    # Required when obey is false: logged on every run.
    reason: str | None = None

    @model_validator(mode="after")
    def _reason_when_ignored(self) -> Robots:
        if not self.obey and not self.reason:
            raise ValueError(
                "obey is false, so 'reason' is required: say why this source may ignore robots.txt"
            )
        return self


class FieldSelectors(StrictModel):
    """Where an advert's parts are on its page (or inside one ``item`` block of a listing)."""

    body: Selector
    title: Selector | None = None
    posted: Selector | None = None
    author: Selector | None = None
    price: Selector | None = None
    location: Selector | None = None
    # The advert's own URL when adverts are read from blocks of a listing page.
    permalink: Selector | None = None


class PageSelectors(StrictModel):
    """How to walk a listing: advert blocks on the page (``item``) and/or links to advert pages."""

    item: Selector | None = None
    links: Selector | None = None
    next: Selector | None = None
    fields: FieldSelectors

    @model_validator(mode="after")
    def _item_or_links(self) -> PageSelectors:
        if self.item is None and self.links is None:
            raise ValueError(
                "give 'item' (advert blocks on the listing page) or 'links' (links to advert pages)"
            )
        return self


Urls = Annotated[tuple[HttpUrl, ...], OneOrMany, Field(min_length=1)]
Patterns = Annotated[tuple[Regex, ...], OneOrMany]


class SourceBase(StrictModel):
    """Keys every source kind accepts."""

    name: Name
    enabled: bool = True
    description: str = ""
    languages: Annotated[tuple[Language, ...], OneOrMany] = ()
    schedule: Schedule = Schedule(every=timedelta(hours=1))
    politeness: Politeness = Politeness()
    robots: Robots = Robots()
    # A proxy named under ``proxies`` in radar.yaml; default: radar.yaml's ``default_proxy``.
    proxy: Name | None = None
    # Keep WARC records (and screenshots for rendered pages) as evidence.
    evidence: bool = False
    # Days to keep this source's adverts; default: radar.yaml's ``retention_days``.
    retention_days: int | None = Field(default=None, ge=1)


class ListingSource(SourceBase):
    """Classified sites and forums: listing pages with links to (or blocks of) adverts."""

    kind: Literal["listing"]
    start_urls: Urls
    selectors: PageSelectors
    max_pages: int = Field(default=10, ge=1, le=10_000)
    allow: Patterns = ()
    deny: Patterns = ()


class RenderedSource(SourceBase):
    """Listings that only show adverts after JavaScript ran, fetched through headless Chromium."""

    kind: Literal["rendered"]
    evidence: bool = True
    start_urls: Urls
    selectors: PageSelectors
    # Wait until this matches before reading the page.
    wait_for: Selector
    # Scroll to the bottom this many times to load an endless list.
    scrolls: int = Field(default=0, ge=0, le=100)
    max_pages: int = Field(default=10, ge=1, le=1_000)
    allow: Patterns = ()
    deny: Patterns = ()


_CHANNEL = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")


def _check_channel(name: str) -> str:
    name = name.removeprefix("@")
    if not _CHANNEL.fullmatch(name):
        raise ValueError(f"expected a public channel name such as 'boza_express', got {shown(name)}")
    return name


class TelegramSource(SourceBase):
    """Public channel previews at ``<base_url>/s/<channel>``."""

    kind: Literal["telegram"]
    evidence: bool = True
    channels: Annotated[
        tuple[Annotated[str, AfterValidator(_check_channel)], ...], OneOrMany, Field(min_length=1)
    ]
    base_url: HttpUrl = "https://t.me"
    # Older pages (``?before=<id>``) walked per channel and run, past the newest page.
    depth: int = Field(default=5, ge=0, le=500)


class FeedSource(SourceBase):
    """RSS or Atom: each entry is an advert; ``follow_links`` fetches the entry's page for the full text."""

    kind: Literal["feed"]
    feed_url: HttpUrl
    follow_links: bool = False
    fields: FieldSelectors | None = None

    @model_validator(mode="after")
    def _fields_when_following(self) -> FeedSource:
        if self.follow_links and self.fields is None:
            raise ValueError("follow_links is true, so 'fields' is required to read the linked pages")
        return self


def _since(value: Any) -> date | timedelta | None:
    # '30d' means "modified in the last 30 days" at each run; a date is a fixed cut-off.
    # One plain validator instead of a union, so a mistake gives one message, not one per member.
    if value is None or isinstance(value, timedelta):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as error:
            raise ValueError(f"no such date: {shown(value)}") from error
    try:
        result: timedelta = parse_duration(value)
    except ValueError:
        raise ValueError(f"expected a date (2024-05-31) or a duration (30d), got {shown(value)}") from None
    return result


class SitemapSource(SourceBase):
    """Sitemaps and sitemap indexes; pages whose URL passes ``allow``/``deny`` are read as adverts."""

    kind: Literal["sitemap"]
    sitemap_url: HttpUrl
    allow: Patterns = ()
    deny: Patterns = ()
    # Only pages whose <lastmod> is on/after this date, or within this duration before the run.
    lastmod_since: Annotated[date | timedelta | None, PlainValidator(_since)] = None
    fields: FieldSelectors
    max_pages: int = Field(default=500, ge=1, le=100_000)


Source = Annotated[
    ListingSource | TelegramSource | FeedSource | SitemapSource | RenderedSource,
    Field(discriminator="kind"),
]
SOURCE_KINDS = ("listing", "telegram", "feed", "sitemap", "rendered")


class SourceFile(StrictModel):
    """One file in ``sources/``."""

    sources: tuple[Source, ...] = ()
