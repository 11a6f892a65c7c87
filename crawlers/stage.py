"""The crawl stage of a cycle: every enabled source crawled once, each in its own process.

``run_crawl_stage(radar_yaml)`` returns ``{"crawled": adverts stored, "enriched": adverts
enriched, "failed sources": n}``. Enrichment runs inside the crawl (``crawlers.pipelines.enrich``),
so the cycle's separate enrich stage has nothing left to do. A source that fails is logged
and counted; the stage fails only when every source failed (nothing was crawled at all).
"""

from __future__ import annotations

from pathlib import Path

from crawlers.runner import CrawlOutcome, crawl_source
from radar.config.loader import load_config
from radar.errors import Code, RadarError
from radar.logs import get_logger

log = get_logger("crawlers.stage")
# A crawl that has not finished after this long is stopped (its adverts so far are kept).
STAGE_TIMEOUT_SECONDS = 30 * 60


def run_crawl_stage(radar_yaml: Path, *, timeout: float = STAGE_TIMEOUT_SECONDS) -> dict[str, int]:
    config = load_config(radar_yaml)
    outcomes: list[CrawlOutcome] = []
    for source in config.enabled_sources():
        outcome = crawl_source(source.kind, source.name, radar_yaml, timeout=timeout)
        if not outcome.ok:
            log.error("source crawl failed", extra={"source": source.name, "reason": outcome.failure()})
        outcomes.append(outcome)
    failed = [o for o in outcomes if not o.ok]
    if outcomes and len(failed) == len(outcomes):
        reasons = "; ".join(f"{o.source}: {o.failure()}" for o in failed)
        raise RadarError(Code.CRAWL_FAILED, f"every source failed to crawl: {reasons}")
    return {
        "crawled": sum(o.new for o in outcomes),
        "enriched": sum(o.enriched for o in outcomes),
        "failed sources": len(failed),
    }
