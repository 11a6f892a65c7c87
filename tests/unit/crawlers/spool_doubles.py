"""What the spool pipeline asks of a spider, for the pipeline tests: remember what was stored,
what failed, and (optionally) the crawl's enrichment worker."""

from __future__ import annotations

from typing import Any

from crawlers.items import Advert


class RecordingSpider:
    def __init__(self, enrich_worker: Any = None) -> None:
        self.enrich_worker = enrich_worker
        self.stored: list[str] = []
        self.failed: list[str] = []

    def remember(self, item: Advert) -> None:
        self.stored.append(item.id)

    def store_failed(self, item: Advert) -> None:
        self.failed.append(item.id)
