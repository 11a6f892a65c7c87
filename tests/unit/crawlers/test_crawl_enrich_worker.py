"""The enrichment worker process: the crawl's own results, in order, and a clear end when it dies.

Real processes (``spawn``) and the real pipeline; nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from crawlers.pipelines.enrich_worker import EnrichWorker, WorkerDiedError
from nlp import build_pipeline, enrich_texts

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
