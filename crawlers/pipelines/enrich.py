"""Enrichment inside the crawl: each advert gets the NLP record (language, places, prices, ...).

The spaCy pipeline (``nlp.build_pipeline(config)``) is built once per crawl: in a worker
process by default (``ENRICH_WORKERS`` 1 or more: one worker, ``crawlers.pipelines.enrich_worker``),
so enrichment runs on another core while the crawl goes on downloading and parsing, or in the
crawl process itself (``ENRICH_WORKERS = 0``).
Adverts are enriched in batches (``ENRICH_BATCH_SIZE``, ``ENRICH_BATCH_WAIT``): ``nlp.pipe``
costs less per advert that way.

When the ``nlp`` package is missing or its pipeline cannot be built, the crawl goes on and
adverts reach the spool raw (the indexer indexes them all the same); the report says so.
A failure on one advert is the enrichment's own business: ``nlp.enrich_texts`` never drops
one. Should the worker process die, its batch and the rest of the run fall back to raw adverts.
The worker also writes the spool's batches (``crawlers.pipelines.spool``); it is made known to
the spool pipeline as ``spider.enrich_worker``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scrapy.exceptions import NotConfigured

from crawlers.items import Advert
from crawlers.pipelines.batching import Batcher
from crawlers.pipelines.draining import draining_test
from crawlers.pipelines.enrich_worker import EnrichWorker, WorkerDiedError
from crawlers.report import count
from radar.logs import get_logger

log = get_logger("crawlers.enrich")
# The worker's CPU seconds spent enriching (not building its pipeline), for the benchmark,
# and how many of them went into writing spool batches.
WORKER_CPU_STAT = "enrich/worker_cpu_seconds"
WORKER_STORE_CPU_STAT = "enrich/worker_store_cpu_seconds"


@dataclass(frozen=True)
class EnrichSettings:
    enabled: bool
    workers: int = 1
    batch_size: int = 32
    batch_wait: float = 0.05
    # Records stay packed in the crawl process when the worker writes the spool (SPOOL_BY_WORKER).
    packed: bool = False

    @classmethod
    def from_settings(cls, settings: Any) -> EnrichSettings:
        return cls(
            enabled=settings.getbool("ENRICH_ENABLED"),
            workers=settings.getint("ENRICH_WORKERS", 1),
            batch_size=settings.getint("ENRICH_BATCH_SIZE", 32),
            batch_wait=settings.getfloat("ENRICH_BATCH_WAIT", 0.05),
            packed=settings.getbool("SPOOL_BY_WORKER", True),
        )


class EnrichPipeline:
    def __init__(self, settings: EnrichSettings) -> None:
        if not settings.enabled:
            raise NotConfigured("ENRICH_ENABLED is off")
        self.settings = settings
        self.nlp: Any = None  # in-process pipeline (ENRICH_WORKERS = 0)
        self.worker: EnrichWorker | None = None
        self.available = False
        self.stats: Any = None
        self.crawler: Any = None
        self.batcher: Batcher[Advert, dict[str, Any] | bytes] = Batcher(
            self.enrich, settings.batch_size, settings.batch_wait, draining_test(self)
        )

    @classmethod
    def from_crawler(cls, crawler: Any) -> EnrichPipeline:
        pipeline = cls(EnrichSettings.from_settings(crawler.settings))
        pipeline.crawler = crawler
        pipeline.stats = crawler.stats
        return pipeline

    async def open_spider(self) -> None:
        context = getattr(self.crawler.spider, "context", None)
        try:
            import nlp  # noqa: F401 (only: is it there?)
        except ImportError as error:
            self._unavailable(f"the nlp package is not available ({error})")
            return
        try:
            if self.settings.workers > 0:
                radar_yaml = str(context.config.radar_file) if context is not None else None
                self.worker = EnrichWorker(radar_yaml)
                await self.worker.started()
                # The spool pipeline hands its batches to the worker as well (see enrich_worker).
                if self.crawler.spider is not None:
                    self.crawler.spider.enrich_worker = self.worker
            else:
                from nlp import build_pipeline

                self.nlp = build_pipeline(context.config if context is not None else None)
        except Exception as error:  # a broken vocabulary must not stop collection: adverts go raw
            log.exception("enrichment pipeline could not be built; adverts go to the spool raw")
            self._unavailable(f"the enrichment pipeline could not be built: {error}")
            self._shutdown()
            return
        self.available = True

    async def close_spider(self) -> None:
        await self.batcher.drain()
        if self.worker is not None:
            await self.worker.idle()  # spool batches handed over are committed first
            self._worker_cpu_stats()  # the last spool batches were answered after the last enrichment
        self._shutdown()

    def _shutdown(self) -> None:
        if self.worker is not None:
            if getattr(self.crawler.spider, "enrich_worker", None) is self.worker:
                self.crawler.spider.enrich_worker = None
            self.worker.stop()
            self.worker = None

    def _unavailable(self, why: str) -> None:
        count(self.stats, "enrich_unavailable")
        notes = getattr(self.crawler.spider, "notes", None)
        if notes is not None:
            notes.note("enrichment", f"adverts stored without enrichment: {why}")

    async def enrich(self, items: Sequence[Advert]) -> Sequence[dict[str, Any] | bytes]:
        """One enrichment record per advert (packed, when the worker writes the spool), from one
        ``nlp.pipe`` run."""
        records = [{"id": item.id, "text": item.nlp_text()} for item in items]
        if self.worker is not None:
            results: Sequence[dict[str, Any] | bytes]
            if self.settings.packed:
                results = await self.worker.enrich_packed(records)
            else:
                results = await self.worker.enrich(records)
            self._worker_cpu_stats()
            return results
        from nlp import enrich_texts

        return list(enrich_texts(self.nlp, records))

    def _worker_cpu_stats(self) -> None:
        if self.worker is not None:
            self.stats.set_value(WORKER_CPU_STAT, self.worker.cpu_seconds - self.worker.cpu_at_ready)
            self.stats.set_value(WORKER_STORE_CPU_STAT, self.worker.store_cpu_seconds)

    async def process_item(self, item: Any) -> Any:
        if not self.available or not isinstance(item, Advert):
            return item
        try:
            record = await self.batcher.submit(item)
        except WorkerDiedError:
            log.error("the enrichment worker died; the rest of this run's adverts go to the spool raw")
            self.available = False
            self._unavailable("the enrichment worker process died")
            return item
        if isinstance(record, bytes):
            item.enrichment_packed = record
        else:
            record.pop("id", None)
            item.enrichment = record
        # Offsets in the record count from the start of "title\ntext"; this says where the text starts.
        item.details["enrichment_text_offset"] = (
            len(item.title) + 1 if item.nlp_text() != item.text and item.title else 0
        )
        count(self.stats, "enriched")
        return item
