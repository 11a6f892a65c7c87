"""Batches for the item pipelines: full batches start at once, part-filled ones after ``wait``,
or on the next turn of the loop when the owner says no more values are coming."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import SimpleNamespace

import pytest

from crawlers.pipelines.batching import Batcher
from crawlers.pipelines.draining import draining_test, no_batch_before, nothing_left_to_fetch

HOUR = 3600.0


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    async def work(self, values: Sequence[int]) -> list[int]:
        self.batches.append(list(values))
        return [value * 10 for value in values]


async def _turns(count: int) -> None:
    for _ in range(count):
        await asyncio.sleep(0)


def test_a_full_batch_starts_at_once_and_each_value_gets_its_own_result() -> None:
    async def scenario() -> tuple[list[int], list[list[int]]]:
        recorder = Recorder()
        batcher: Batcher[int, int] = Batcher(recorder.work, 3, HOUR)
        results = await asyncio.gather(*(batcher.submit(value) for value in (1, 2, 3)))
        return list(results), recorder.batches

    assert asyncio.run(scenario()) == ([10, 20, 30], [[1, 2, 3]])


def test_a_part_filled_batch_waits_unless_no_more_values_are_coming() -> None:
    async def scenario(no_more: bool) -> list[list[int]]:
        recorder = Recorder()
        batcher: Batcher[int, int] = Batcher(recorder.work, 100, HOUR, lambda: no_more)
        tasks = [asyncio.ensure_future(batcher.submit(value)) for value in (1, 2)]
        await _turns(5)
        started = list(recorder.batches)
        if not no_more:
            assert len(batcher) == 2  # still waiting for company
            await batcher.drain()
        assert [task.result() for task in tasks] == [10, 20]
        return started

    # The values submitted in the same turn of the loop went together, without waiting an hour.
    assert asyncio.run(scenario(True)) == [[1, 2]]
    assert asyncio.run(scenario(False)) == []


def test_when_no_more_values_come_a_waiting_batch_stops_waiting() -> None:
    """Values that came while more were expected start with the last one once none are."""

    async def scenario() -> list[list[int]]:
        recorder = Recorder()
        draining = False
        batcher: Batcher[int, int] = Batcher(recorder.work, 100, HOUR, lambda: draining)
        first = asyncio.ensure_future(batcher.submit(1))
        await _turns(3)
        assert recorder.batches == []
        draining = True
        last = asyncio.ensure_future(batcher.submit(2))
        await _turns(5)
        assert (first.result(), last.result()) == (10, 20)
        assert batcher.values_running == 0
        return recorder.batches

    assert asyncio.run(scenario()) == [[1, 2]]


def test_values_in_a_running_batch_are_counted() -> None:
    async def scenario() -> tuple[int, int]:
        release = asyncio.Event()

        async def slow(values: Sequence[int]) -> list[int]:
            await release.wait()
            return list(values)

        batcher: Batcher[int, int] = Batcher(slow, 2, HOUR)
        tasks = [asyncio.ensure_future(batcher.submit(value)) for value in (1, 2)]
        await _turns(3)
        running = batcher.values_running
        release.set()
        await asyncio.gather(*tasks)
        return running, batcher.values_running

    assert asyncio.run(scenario()) == (2, 0)


def _crawler(
    *, active: int = 0, pending: bool = False, queued: int = 0, pipelines: tuple[object, ...] = ()
) -> object:
    """The parts of Scrapy 2.19's engine the draining tests read, with given contents."""
    scheduler = SimpleNamespace(has_pending_requests=lambda: pending)
    slot = SimpleNamespace(queue=[object()] * queued)
    scraper = SimpleNamespace(slot=slot, itemproc=SimpleNamespace(middlewares=pipelines))
    engine = SimpleNamespace(
        downloader=SimpleNamespace(active={object()} if active else set()),
        scheduler=scheduler,
        scraper=scraper,
    )
    return SimpleNamespace(engine=engine)


@pytest.mark.parametrize(
    ("state", "draining"),
    [
        ({}, True),
        ({"active": 1}, False),
        ({"pending": True}, False),
        ({"queued": 1}, False),
    ],
)
def test_a_crawl_drains_when_nothing_is_downloading_scheduled_or_waiting_to_be_parsed(
    state: dict[str, int | bool], draining: bool
) -> None:
    assert nothing_left_to_fetch(_crawler(**state)) is draining  # type: ignore[arg-type]


def test_anything_unreadable_means_not_draining() -> None:
    assert nothing_left_to_fetch(SimpleNamespace()) is False
    assert (
        nothing_left_to_fetch(
            SimpleNamespace(engine=SimpleNamespace(downloader=SimpleNamespace(active=set()), scheduler=None))
        )
        is False
    )
    assert no_batch_before(SimpleNamespace(), object()) is False
    # A pipeline not yet given its crawler (as between __init__ and from_crawler) waits as configured.
    assert draining_test(SimpleNamespace(crawler=None))() is False


def test_a_batch_held_by_an_earlier_pipeline_is_more_company_coming() -> None:
    async def scenario() -> tuple[bool, bool, bool]:
        recorder = Recorder()
        earlier = SimpleNamespace(batcher=Batcher(recorder.work, 100, HOUR))
        unbatched, later = SimpleNamespace(), SimpleNamespace()
        crawler = _crawler(pipelines=(earlier, unbatched, later))
        waiting = asyncio.ensure_future(earlier.batcher.submit(1))
        await _turns(2)
        holding = no_batch_before(crawler, later)
        first = no_batch_before(crawler, earlier)  # nothing before the first one
        await earlier.batcher.drain()
        await waiting
        return holding, first, no_batch_before(crawler, later)

    assert asyncio.run(scenario()) == (False, True, True)
