"""Evidence capture: the raw response of each advert as a WARC record (and a screenshot of
rendered pages), hashed and referenced from the item before it is stored.

Spiders attach a ``Capture`` to adverts of sources with ``evidence: true``; adverts read
from one response share it, and it is written once. A capture that cannot be written
(disk full, permissions) drops the advert with a reason, so it is fetched again next run
instead of being stored without the evidence it should have.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.exceptions import DropItem, NotConfigured

from crawlers.evidence.store import EvidenceStore
from crawlers.items import Advert
from crawlers.report import count
from radar.logs import get_logger

log = get_logger("crawlers.evidence")


@dataclass(frozen=True)
class EvidenceSettings:
    enabled: bool
    root: Path | None

    @classmethod
    def from_settings(cls, settings: Any) -> EvidenceSettings:
        folder = settings.get("EVIDENCE_DIR")
        return cls(enabled=settings.getbool("EVIDENCE_ENABLED"), root=Path(folder) if folder else None)


class EvidencePipeline:
    def __init__(self, settings: EvidenceSettings) -> None:
        if not settings.enabled:
            raise NotConfigured("EVIDENCE_ENABLED is off")
        if settings.root is None:
            raise NotConfigured("no EVIDENCE_DIR (radar.yaml's data.evidence)")
        self.root = settings.root
        self.stores: dict[str, EvidenceStore] = {}
        self.stats: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> EvidencePipeline:
        source = getattr(crawler.spider, "source", None)
        if source is not None and not source.evidence:
            # Its spider attaches no captures: no stage every advert would pass through for nothing.
            raise NotConfigured(f"source '{source.name}' keeps no evidence")
        pipeline = cls(EvidenceSettings.from_settings(crawler.settings))
        pipeline.stats = crawler.stats
        return pipeline

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Advert) or item.capture is None:
            return item
        capture = item.capture
        if capture.references is None:
            store = self.stores.setdefault(item.source, EvidenceStore(self.root, item.source))
            try:
                capture.references = store.save(capture)
            except OSError as error:
                log.error(
                    "evidence of %s could not be written: %s",
                    capture.url,
                    error,
                    extra={"url": capture.url, "error": str(error)},
                )
                raise DropItem(f"evidence_not_written: {capture.url}: {error}") from error
            count(self.stats, "evidence_files", len(capture.references))
        item.evidence = [dict(reference) for reference in capture.references]
        return item
