"""Conditional requests: ask listing, feed, sitemap and channel pages only for what changed.

Requests a spider marks with ``meta["conditional"] = True`` carry ``If-None-Match`` and
``If-Modified-Since`` from the validators the last run stored for that URL. A ``304 Not
Modified`` answer ends the request with ``NotModified`` (counted as ``report/not_modified``,
not as an error); a 2xx answer's ``ETag`` and ``Last-Modified`` become the new validators,
which the spider commits to the source's state at the end of a run that stored everything.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawlers.report import count
from crawlers.state import Validators


class NotModified(IgnoreRequest):
    """The page has not changed since the last run."""


def conditional_key(request: Request) -> str:
    # The URL the spider asked for, so a redirect does not change where validators are kept.
    return str(request.meta.get("conditional_key") or request.url)


class ConditionalRequestMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalRequestMiddleware:
        if not crawler.settings.getbool("CONDITIONAL_ENABLED"):
            raise NotConfigured("CONDITIONAL_ENABLED is off")
        return cls(crawler)

    def _spider(self) -> Any:
        return self.crawler.spider

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        state = getattr(self._spider(), "state", None)
        stored = state.validators.get(conditional_key(request)) if state is not None else None
        if stored is None:
            return
        if stored.etag:
            request.headers.setdefault(b"If-None-Match", stored.etag.encode("latin-1"))
        if stored.last_modified:
            request.headers.setdefault(b"If-Modified-Since", stored.last_modified.encode("latin-1"))

    def process_response(self, request: Request, response: Response) -> Response:
        if not request.meta.get("conditional"):
            return response
        if response.status == 304:
            count(self.crawler.stats, "not_modified")
            raise NotModified(f"not modified since the last run: {request.url}")
        if 200 <= response.status < 300:
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            pending = getattr(self._spider(), "pending_validators", None)
            if pending is not None and (etag or modified):
                pending[conditional_key(request)] = Validators(
                    etag.decode("latin-1") if etag else None, modified.decode("latin-1") if modified else None
                )
        return response
