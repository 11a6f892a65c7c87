"""The last pipeline: store each advert in the spool, then remember it as seen.

The spool (``indexer.spool``, SQLite in WAL mode) is the durable outbox the indexer drains;
``put`` is idempotent by advert id. Adverts go in batches (``SPOOL_BATCH_SIZE``, at most
``SPOOL_BATCH_WAIT`` seconds apart): one transaction and one fsync each. Only once its batch
is committed is an advert marked as seen in the source's state, so an advert that could not be
stored — or was waiting when the process died — is fetched again next run. A failure to store
drops the advert with the reason (counted, logged with its id and URL).

When the crawl has an enrichment worker (``spider.enrich_worker``), the worker writes the
batches: staging each advert for the indexer and the transaction are the costliest per-advert
work left in the crawl process, which limits a crawl's speed, while the worker's core has time
to spare. The batch stays here until the worker says it is committed; should the worker die
(or not be there), this process writes it itself, so nothing collected is lost.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.exceptions import DropItem, NotConfigured

from crawlers.items import Advert
from crawlers.pipelines.batching import Batcher
from crawlers.pipelines.draining import draining_test
from crawlers.pipelines.enrich_worker import EnrichWorker, StoreFailedError, WorkerDiedError
from radar.errors import RadarError
from radar.logs import get_logger

log = get_logger("crawlers.spool")


@dataclass(frozen=True)
class SpoolSettings:
    enabled: bool
    path: Path | None
    batch_size: int = 100
    batch_wait: float = 0.5
    # Hand the batches to the crawl's enrichment worker, when it has one (see the module docstring).
    by_worker: bool = True

    @classmethod
    def from_settings(cls, settings: Any) -> SpoolSettings:
        path = settings.get("SPOOL_PATH")
        return cls(
            enabled=settings.getbool("SPOOL_ENABLED"),
            path=Path(path) if path else None,
            batch_size=settings.getint("SPOOL_BATCH_SIZE", 100),
            batch_wait=settings.getfloat("SPOOL_BATCH_WAIT", 0.5),
            by_worker=settings.getbool("SPOOL_BY_WORKER", True),
        )


class SpoolPipeline:
    def __init__(self, settings: SpoolSettings) -> None:
        if not settings.enabled:
            raise NotConfigured("SPOOL_ENABLED is off")
        if settings.path is None:
            raise NotConfigured("no SPOOL_PATH (radar.yaml's data.spool)")
        self.path = settings.path
        self.by_worker = settings.by_worker
        self.spool: Any = None
        self.crawler: Any = None
        self.batcher: Batcher[Advert, bool] = Batcher(
            self.store, settings.batch_size, settings.batch_wait, draining_test(self)
        )

    @classmethod
    def from_crawler(cls, crawler: Any) -> SpoolPipeline:
        pipeline = cls(SpoolSettings.from_settings(crawler.settings))
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        from indexer.spool import Spool

        self.spool = Spool(self.path)

    async def close_spider(self) -> None:
        await self.batcher.drain()
        if self.spool is not None:
            self.spool.close()

    async def store(self, items: Sequence[Advert]) -> list[bool]:
        """All of a batch in one transaction: stored together or not at all."""
        worker: EnrichWorker | None = getattr(self.crawler.spider, "enrich_worker", None)
        if self.by_worker and worker is not None and worker.alive:
            # Enrichment records the worker packed go back packed: it unpacks them itself.
            records = [item.record(packed=True) for item in items]
            try:
                await worker.store(self.path, records)
                return [True] * len(items)
            except WorkerDiedError:
                # Committed there or not, it is written here (``put`` replaces by advert id).
                log.warning("the enrichment worker is gone; this process writes the spool")
        self.spool.put_many([item.record() for item in items])
        return [True] * len(items)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Advert):
            return item
        try:
            await self.batcher.submit(item)
        except (RadarError, OSError, ValueError, sqlite3.Error, StoreFailedError) as error:
            log.error(
                "advert %s could not be spooled: %s",
                item.id,
                error,
                extra={"advert": item.id, "url": item.url},
            )
            _stored_failed(self.crawler.spider, item)
            raise DropItem(f"spool_failed: {item.id}: {error}") from error
        _stored(self.crawler.spider, item)
        return item


def _stored(spider: Any, item: Advert) -> None:
    remember = getattr(spider, "remember", None)
    if remember is not None:
        remember(item)


def _stored_failed(spider: Any, item: Advert) -> None:
    failed = getattr(spider, "store_failed", None)
    if failed is not None:
        failed(item)
