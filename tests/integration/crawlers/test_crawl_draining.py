"""The end of a crawl: the last part-filled batches start once nothing is left to fetch.

Batch waits of an hour stand in for "company that never comes": a crawl that let its last
enrichment or spool batch wait them out would not end within the runner's timeout (240 s)
and the test would fail; one that starts them as soon as the crawl is draining ends normally,
with every advert enriched and stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

HOUR = 3600


def test_a_draining_crawl_starts_its_last_batches_without_waiting(make_site: Callable[..., Any]) -> None:
    site = make_site(demo_sources=("forum",))
    outcome = site.crawl(
        "listing",
        "demo-forum",
        ENRICH_ENABLED=True,
        ENRICH_BATCH_SIZE=10_000,
        ENRICH_BATCH_WAIT=HOUR,
        SPOOL_BATCH_SIZE=10_000,
        SPOOL_BATCH_WAIT=HOUR,
    )
    report = outcome.report
    entries = site.demo.entries_of("forum")
    assert report["finish_reason"] == "finished"
    assert report["adverts"]["new"] == report["enriched"] == len(entries) == len(site.spooled())
    assert all(item["enrichment"]["language"] for item in site.spooled().values())
