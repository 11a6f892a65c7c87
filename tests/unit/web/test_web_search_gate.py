"""The search gate: at most N searches at a time per worker, the others served in arrival order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from web.search_gate import SearchGate
from web.settings import WebSettings


async def _settle() -> None:
    """Let every task that can run, run (each gate hand-over takes a loop turn)."""
    for _ in range(10):
        await asyncio.sleep(0)


def test_at_most_slots_searches_run_at_once_and_the_rest_go_in_arrival_order() -> None:
    async def scenario() -> tuple[list[int], int]:
        gate = SearchGate(2)
        release = [asyncio.Event() for _ in range(6)]
        started: list[int] = []
        most = 0

        async def request(number: int) -> None:
            nonlocal most
            async with gate:
                started.append(number)
                most = max(most, gate.running)
                await release[number].wait()

        tasks = []
        for number in range(6):
            tasks.append(asyncio.create_task(request(number)))
            await _settle()  # each request arrives after the previous one
        assert started == [0, 1] and gate.waiting == 4
        # The later requests finish first: the slots still go to the earliest waiting, in order.
        for number in (1, 0, 3, 2, 5, 4):
            release[number].set()
            await _settle()
        await asyncio.gather(*tasks)
        return started, most

    started, most = asyncio.run(scenario())

    assert started == [0, 1, 2, 3, 4, 5]
    assert most == 2


def test_a_newcomer_does_not_overtake_a_waiting_request_when_a_slot_frees() -> None:
    async def scenario() -> list[str]:
        gate = SearchGate(1)
        order: list[str] = []
        first_may_end = asyncio.Event()

        async def request(name: str, hold: asyncio.Event | None = None) -> None:
            async with gate:
                order.append(name)
                if hold is not None:
                    await hold.wait()

        first = asyncio.create_task(request("first", first_may_end))
        await _settle()
        waiting = asyncio.create_task(request("waiting"))
        await _settle()
        first_may_end.set()
        # Arrives in the same loop turn as the slot is freed: it must queue behind "waiting".
        newcomer = asyncio.create_task(request("newcomer"))
        await asyncio.gather(first, waiting, newcomer)
        return order

    assert asyncio.run(scenario()) == ["first", "waiting", "newcomer"]


def test_a_request_cancelled_while_waiting_leaves_no_slot_taken() -> None:
    async def scenario() -> tuple[int, int, bool]:
        gate = SearchGate(1)
        hold = asyncio.Event()

        async def request(wait_for: asyncio.Event | None = None) -> None:
            async with gate:
                if wait_for is not None:
                    await wait_for.wait()

        holder = asyncio.create_task(request(hold))
        await _settle()
        gone = asyncio.create_task(request())
        await _settle()
        gone.cancel()
        await _settle()
        hold.set()
        await holder
        after = asyncio.create_task(request())
        await asyncio.wait_for(after, 5)  # would wait forever if the cancelled one kept a slot
        return gate.running, gate.waiting, gone.cancelled()

    assert asyncio.run(scenario()) == (0, 0, True)


def test_an_error_inside_the_gate_frees_the_slot() -> None:
    async def scenario() -> int:
        gate = SearchGate(1)
        with pytest.raises(RuntimeError):
            async with gate:
                raise RuntimeError("Elasticsearch went away")
        async with gate:
            return gate.running

    assert asyncio.run(scenario()) == 1


def test_a_gate_needs_a_slot() -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        SearchGate(0)


def test_the_web_settings_refuse_zero_search_slots(tmp_path: Path) -> None:
    from radar.errors import RadarError

    with pytest.raises(RadarError, match="search_slots must be at least 1"):
        WebSettings(
            alias="x-adverts",
            state_dir=tmp_path,
            pins_path=tmp_path,
            index_lock_path=tmp_path,
            evidence_dir=tmp_path,
            ledger_path=tmp_path,
            search_slots=0,
        )


def test_slots_grow_with_the_queue_one_per_per_slot_requests() -> None:
    async def scenario() -> tuple[list[int], int]:
        gate = SearchGate(2, per_slot=3)
        release = asyncio.Event()
        started: list[int] = []

        async def request(number: int) -> None:
            async with gate:
                started.append(number)
                await release.wait()

        tasks = [asyncio.create_task(request(number)) for number in range(12)]
        await _settle()
        # 12 requests in the gate: one slot per 3 of them, so 4 run and 8 wait, in arrival order.
        running_then = list(started)
        release.set()
        await asyncio.gather(*tasks)
        return running_then, gate.slots

    running_then, slots_after = asyncio.run(scenario())

    assert running_then == [0, 1, 2, 3]
    assert slots_after == 2  # the gate empty again: back to the minimum


def test_a_few_requests_still_get_the_minimum_slots() -> None:
    async def scenario() -> int:
        gate = SearchGate(3, per_slot=6)
        hold = asyncio.Event()

        async def request() -> None:
            async with gate:
                await hold.wait()

        tasks = [asyncio.create_task(request()) for _ in range(4)]
        await _settle()
        running = gate.running
        hold.set()
        await asyncio.gather(*tasks)
        return running

    assert asyncio.run(scenario()) == 3
