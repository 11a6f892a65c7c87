"""Scrapy's retry (same codes and exceptions, ``RETRY_TIMES``) with a growing pause between attempts.

A site that answers 503 or drops connections is given time to recover instead of being
asked again at once: attempt n waits ``RETRY_BACKOFF_BASE * 2**(n-1)`` seconds, at most
``RETRY_BACKOFF_MAX``, or the server's ``Retry-After`` when that is shorter. The decision
whether to retry is Scrapy's own ``RetryMiddleware``, wrapped rather than re-implemented.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response


class BackoffRetryMiddleware:
    def __init__(self, retry: RetryMiddleware, base: float, ceiling: float) -> None:
        self.retry = retry
        self.base = base
        self.ceiling = ceiling

    @classmethod
    def from_crawler(cls, crawler: Any) -> BackoffRetryMiddleware:
        settings = crawler.settings
        retry = RetryMiddleware.from_crawler(crawler)  # raises NotConfigured when RETRY_ENABLED is off
        return cls(
            retry, settings.getfloat("RETRY_BACKOFF_BASE", 0.5), settings.getfloat("RETRY_BACKOFF_MAX", 8.0)
        )

    def pause(self, retry: Request, retry_after: float | None = None) -> float:
        attempt = int(retry.meta.get("retry_times", 1))
        pause = float(min(self.base * 2 ** (attempt - 1), self.ceiling))
        return min(pause, retry_after) if retry_after is not None else pause

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        result = self.retry.process_response(request, response)
        if isinstance(result, Request):
            await asyncio.sleep(self.pause(result, _retry_after(response)))
        return result

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        result = self.retry.process_exception(request, exception)
        if isinstance(result, Request):
            await asyncio.sleep(self.pause(result))
        return result


def _retry_after(response: Response) -> float | None:
    value = response.headers.get(b"Retry-After")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
