"""Whether a crawl is draining: nothing left to download or to parse, only items to finish.

The item pipelines batch their work (``crawlers.pipelines.batching``) and let a part-filled batch
wait a little for company. At the end of a crawl no company is coming: the last adverts would
wait out the whole interval for nothing (50 ms for enrichment, up to 0.5 s for the spool). These
tests, read from Scrapy's engine, tell a batcher it may start at once.

A wrong "yes" only costs a smaller batch; anything that cannot be read answers "no" (wait as
configured).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def nothing_left_to_fetch(crawler: Any) -> bool:
    """No request waiting or being downloaded and no response waiting to be parsed: every advert
    this crawl will still yield is in the item pipelines already (or being yielded right now)."""
    engine: Any = getattr(crawler, "engine", None)
    try:
        if engine.downloader.active:
            return False
        scheduler = engine.scheduler
        if scheduler is None or scheduler.has_pending_requests():
            return False
        return not engine.scraper.slot.queue
    except AttributeError:  # no engine (a pipeline used on its own) or one unlike Scrapy 2.19's
        return False


def no_batch_before(crawler: Any, pipeline: Any) -> bool:
    """No item pipeline before ``pipeline`` holds values in a batch (waiting or under way).

    Items between two pipelines at this moment are not seen; they only make a smaller batch."""
    try:
        pipelines = crawler.engine.scraper.itemproc.middlewares
    except AttributeError:
        return False
    for other in pipelines:
        if other is pipeline:
            return True
        batcher = getattr(other, "batcher", None)
        if batcher is not None and (len(batcher) or batcher.values_running):
            return False
    return False  # not one of this crawl's pipelines: cannot tell


def batch_now(crawler: Any, pipeline: Any) -> bool:
    """Nothing left to fetch and nothing in an earlier pipeline's batch: no advert will reach
    ``pipeline`` but those on their way to it already."""
    return nothing_left_to_fetch(crawler) and no_batch_before(crawler, pipeline)


def draining_test(pipeline: Any) -> Callable[[], bool]:
    """``batch_now`` for an item pipeline, as a ``Batcher``'s ``no_more``: it reads the pipeline's
    ``crawler`` when asked (the crawler is set after the pipeline, and its batcher, are made)."""
    return lambda: batch_now(pipeline.crawler, pipeline)
