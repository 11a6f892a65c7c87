"""The enrichment worker process: the crawl's own results, in order, the spool batches it writes,
and a clear end when it dies (nothing collected is lost).

Real processes (``spawn``) and the real pipeline; nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from crawlers.items import Advert
from crawlers.pipelines.enrich_worker import EnrichWorker, StoreFailedError, WorkerDiedError
from crawlers.pipelines.spool import SpoolPipeline, SpoolSettings
from indexer.spool import Spool
from nlp import build_pipeline, enrich_texts
from tests.unit.crawlers.spool_doubles import RecordingSpider

RECORDS = [
    {"id": "a", "text": "Boat from Zuwara to Lampedusa, 2500 EUR, WhatsApp +218 91 234 5678"},
    {"id": "b", "text": "جواز سفر إيطالي أصلي 3000 يورو"},
    {"id": "c", "text": ""},
]


def test_worker_enriches_like_the_crawl_process_and_reports_its_death() -> None:
    expected = list(enrich_texts(build_pipeline(None), [dict(r) for r in RECORDS]))

    async def scenario() -> tuple[list[list[dict[str, object]]], str]:
        worker = EnrichWorker(None)
        try:
            await worker.started()
            # Batches sent while the worker is busy go over together; each still gets its own results.
            results = await asyncio.gather(
                worker.enrich([dict(RECORDS[0])]), worker.enrich([dict(r) for r in RECORDS[1:]])
            )
            assert worker.cpu_seconds > worker.cpu_at_ready
            assert worker.store_cpu_seconds == 0.0  # no spool batch yet: all of it was enrichment
            worker.process.kill()
            worker.process.join(10)
            with pytest.raises(WorkerDiedError) as died:
                await worker.enrich([dict(RECORDS[0])])
            return list(results), str(died.value)
        finally:
            worker.stop()

    results, why = asyncio.run(scenario())
    assert results[0] + results[1] == expected
    assert "enrichment worker" in why


def test_a_stopped_worker_exits_on_its_own_and_is_waited_for() -> None:
    """``stop`` leaves waiting for the process to a thread; the worker ends cleanly (exit code 0,
    not terminated) once it reads the end of the pipe."""

    async def scenario() -> EnrichWorker:
        worker = EnrichWorker(None)
        await worker.started()
        await worker.enrich([dict(RECORDS[0])])
        worker.stop()
        return worker

    worker = asyncio.run(scenario())
    assert worker.reaper is not None and not worker.reaper.daemon
    worker.reaper.join(60)
    assert worker.process.exitcode == 0
    worker.stop()  # a second stop neither fails nor starts another thread
    assert worker.reaper is not None and not worker.reaper.is_alive()


def test_a_worker_that_cannot_build_its_pipeline_says_why(tmp_path: Path) -> None:
    async def scenario() -> str:
        worker = EnrichWorker(str(tmp_path / "missing-radar.yaml"))
        try:
            with pytest.raises(WorkerDiedError) as failed:
                await worker.started()
            return str(failed.value)
        finally:
            worker.stop()

    why = asyncio.run(scenario())
    assert "could not build" in why and "missing-radar.yaml" in why


def _advert(advert_id: str, text: str) -> Advert:
    return Advert(
        id=advert_id,
        source="demo",
        kind="listing",
        url=f"http://127.0.0.1/{advert_id}",
        fetched_at=datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
        text=text,
    )


def test_the_worker_writes_the_spool_and_nothing_is_lost_when_it_dies(tmp_path: Path) -> None:
    """Batches the worker writes hold the enrichment it packed; once it is gone, the crawl
    process writes them itself; a spool the worker cannot write fails the batch, not the crawl."""
    spool_path = tmp_path / "spool.sqlite"

    async def scenario() -> tuple[list[str], str]:
        worker = EnrichWorker(None)
        try:
            await worker.started()
            with pytest.raises(StoreFailedError, match="spool did not take"):
                await worker.store(tmp_path, [_advert("demo:0", "x").record()])  # a folder, not a file
            pipeline = SpoolPipeline(SpoolSettings(True, spool_path, batch_size=1, batch_wait=0.01))
            spider = RecordingSpider(worker)
            pipeline.crawler = SimpleNamespace(spider=spider)
            pipeline.open_spider()
            (packed,) = await worker.enrich_packed([{"id": "demo:1", "text": RECORDS[0]["text"]}])
            first = _advert("demo:1", RECORDS[0]["text"])
            first.enrichment_packed = packed
            await pipeline.process_item(first)  # written by the worker
            # The worker's CPU time for spool batches is told apart from the rest (the benchmark's split).
            assert 0.0 < worker.store_cpu_seconds <= worker.cpu_seconds - worker.cpu_at_ready
            worker.process.kill()
            worker.process.join(10)
            second = _advert("demo:2", RECORDS[1]["text"])
            second.enrichment_packed = packed
            await pipeline.process_item(second)  # the worker is gone: written by this process
            await pipeline.close_spider()
            return spider.stored, str(spider.failed)
        finally:
            worker.stop()

    stored, failed = asyncio.run(scenario())
    assert stored == ["demo:1", "demo:2"] and failed == "[]"
    expected = next(iter(enrich_texts(build_pipeline(None), [dict(RECORDS[0])])))
    expected.pop("id")
    with Spool(spool_path) as spool:
        entries = {entry.advert_id: entry.item for entry in spool.lease(10)}
    assert set(entries) == {"demo:1", "demo:2"}
    for item in entries.values():
        assert item["enrichment"] == json.loads(json.dumps(expected))
