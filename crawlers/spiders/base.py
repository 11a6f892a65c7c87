"""What every source spider shares: the source from the configuration, its state between
runs, the run notes, error accounting, evidence captures and building ``Advert`` items.

Run as ``scrapy crawl <kind> -a source=<name> [-a config=config/radar.yaml] [-a check=1]``.
``check=1`` is the dry run behind ``smokkelradar sources check``: it fetches the first page
(and a couple of adverts) to try the selectors, stores nothing and changes no state.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawlers.dates import parse_posted
from crawlers.decoding import inspect
from crawlers.items import Advert, Capture, advert_id, canonical_url, utc_now
from crawlers.report import RunNotes, classify_failure, count
from crawlers.source_settings import (
    SourceContext,
    apply_source_settings,
    drop_idle_feed_exporter,
    load_source,
    skip_unlogged_scrapy_records,
)
from crawlers.state import SourceLock, SourceState, Validators, state_path
from radar.logs import get_logger

log = get_logger("crawlers.spider")
CHECK_ADVERTS = 2
# Failures their middleware already counted (a 304 is not even an error).
COUNTED_BY_MIDDLEWARE = frozenset(
    {"not_modified", "ssrf_blocked"}
)  # advert pages a check run fetches to try the field selectors
_OFF_IN_CHECK = ("SPOOL_ENABLED", "EVIDENCE_ENABLED", "ENRICH_ENABLED", "CONDITIONAL_ENABLED")


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class SourceSpider(scrapy.Spider):
    kind: ClassVar[str] = ""
    context: SourceContext
    state: SourceState
    notes: RunNotes

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        context = load_source(kwargs.pop("config", None), kwargs.pop("source", None), cls.kind)
        check_only = _truthy(kwargs.pop("check", "0"))
        apply_source_settings(crawler.settings, context)
        drop_idle_feed_exporter(crawler.settings)
        skip_unlogged_scrapy_records(crawler.settings)
        if check_only:
            for key in _OFF_IN_CHECK:
                crawler.settings.set(key, False, priority="cmdline")
        spider: SourceSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup(context, check_only)
        return spider

    def setup(self, context: SourceContext, check_only: bool) -> None:
        self.context = context
        self.source = context.source
        self.check_only = check_only
        self.notes = RunNotes()
        self._callbacks: dict[Any, Any] = {}
        self._errback = self.failed
        self.pending_validators: dict[str, Validators] = {}
        self.failed_ids: set[str] = set()
        self.stored_ids: set[str] = set()
        self.lock = SourceLock(context.state_dir, self.source.name)
        if not check_only:
            self.lock.acquire()
        state_enabled = self.settings.getbool("STATE_ENABLED", True)
        file = state_path(context.state_dir, self.source.name)
        self.state = SourceState.load(file) if state_enabled and not check_only else SourceState(file)
        self.keep_state = state_enabled and not check_only
        if not self.source.robots.obey:
            log.warning(
                "robots.txt is not obeyed for this source",
                extra={"source": self.source.name, "reason": self.source.robots.reason or ""},
            )
            self.notes.note("robots", f"robots.txt not obeyed: {self.source.robots.reason}")

    # -- requests and errors -----------------------------------------------------------------

    def page_request(
        self, url: str, callback: Any, *, conditional: bool = False, **meta: Any
    ) -> scrapy.Request:
        """A request of this source; listing-like pages are ``conditional`` (ETag / If-Modified-Since)."""
        if conditional:
            meta.update(conditional=True, conditional_key=url)
        # One bound-method object per callback for the whole crawl: Scrapy checks each callback
        # for a generator ``return value`` (reading its source and parsing it), caching the answer
        # only while that very object lives, so a fresh bound method per request meant that check
        # again and again (about 0.2 ms each).
        function = getattr(callback, "__func__", None)
        if function is not None:  # a bound method (anything else is kept as it is given)
            callback = self._callbacks.setdefault(function, callback)
        return scrapy.Request(url, callback=callback, errback=self._errback, meta=meta)

    def failed(self, failure: Failure) -> None:
        kind = classify_failure(failure)
        if kind in COUNTED_BY_MIDDLEWARE:
            return
        count(self.crawler.stats, f"errors/{kind}")
        request = getattr(failure, "request", None)
        log.warning(
            "request failed (%s): %s: %s",
            kind,
            getattr(request, "url", ""),
            failure.value,
            extra={
                "source": self.source.name,
                "url": getattr(request, "url", ""),
                "kind": kind,
                "error": str(failure.value),
            },
        )

    def readable(self, response: Response) -> TextResponse | None:
        """The response to parse, or None when it is binary or not text (counted as an error)."""
        inspected = inspect(response)
        if inspected.problem in ("binary", "not_text"):
            count(self.crawler.stats, f"errors/{inspected.problem}")
            log.warning(
                "not a page: %s: %s",
                response.url,
                inspected.detail,
                extra={"url": response.url, "reason": inspected.detail},
            )
            return None
        if inspected.problem == "charset_repaired":
            count(self.crawler.stats, "charset_repaired")
            self.notes.note("charset", f"{response.url}: {inspected.detail}", url=response.url)
        return inspected.response

    # -- state -----------------------------------------------------------------------------------

    def seen(self, item_id: str) -> bool:
        """True (and counted as already seen) when a previous run stored this advert."""
        if self.check_only or item_id not in self.state.seen:
            return False
        count(self.crawler.stats, "adverts_seen")
        return True

    def remember(self, item: Advert) -> None:
        """Called by the spool pipeline once the advert is stored."""
        self.stored_ids.add(item.id)
        if self.keep_state:
            self.state.seen[item.id] = str(item.details.get("lastmod") or "")

    def store_failed(self, item: Advert) -> None:
        self.failed_ids.add(item.id)

    def closed(self, reason: str) -> None:
        try:
            if self.keep_state:
                if self.failed_ids:
                    # Pages behind a 304 next time would hide the adverts that failed: refetch them.
                    log.warning(
                        "some adverts were not stored; page validators not kept",
                        extra={"source": self.source.name},
                    )
                else:
                    self.state.validators.update(self.pending_validators)
                self.commit_state()
                self.state.last_run = {"finished_at": utc_now().isoformat(), "reason": reason}
                self.state.save()
        finally:
            self.lock.release()

    def commit_state(self) -> None:
        """Kind-specific state at the end of a run (the Telegram high-water marks)."""

    # -- items -------------------------------------------------------------------------------------

    def capture(
        self, response: Response, *, rendered: bool = False, screenshot: bytes | None = None
    ) -> Capture | None:
        if not self.source.evidence:
            return None
        headers = [
            (key.decode("latin-1"), value.decode("latin-1"))
            for key, values in response.headers.items()
            for value in values
        ]
        return Capture(response.url, response.status, headers, response.body, utc_now(), rendered, screenshot)

    def posted(self, text: str | None, fetched_at: datetime) -> datetime | None:
        return parse_posted(text, self.source.languages, fetched_at)

    def advert(
        self,
        *,
        locator: str,
        url: str,
        text: str,
        fetched_at: datetime,
        title: str | None = None,
        posted_text: str | None = None,
        author: str | None = None,
        outlinks: Iterable[str] = (),
        capture: Capture | None = None,
        details: dict[str, Any] | None = None,
    ) -> Advert:
        return Advert(
            id=advert_id(self.source.name, locator),
            source=self.source.name,
            kind=self.source.kind,
            url=url,
            fetched_at=fetched_at,
            text=text,
            title=title,
            posted_at=self.posted(posted_text, fetched_at),
            posted_text=posted_text,
            author=author,
            outlinks=list(outlinks),
            details=details or {},
            capture=capture,
        )

    @staticmethod
    def requested_url(response: Response) -> str:
        """The URL the spider asked for (before redirects): what the advert's id is made of."""
        hops = response.meta.get("redirect_urls") or [response.url]
        return str(hops[0])

    def web_id(self, url: str) -> str:
        return advert_id(self.source.name, canonical_url(url))
