"""First come, first served: how many searches one worker sends to Elasticsearch at a time.

Without a limit every waiting request runs at once: forty threads take turns on the GIL (in no
particular order) and Elasticsearch works on all their searches side by side, so under load
which request goes next is luck and the slowest answers (p95, p99) are far above the mean.

The gate lets some searches through at a time and queues the rest in the order they arrived,
so a request waits about as long as the requests ahead of it take and every client is served
in turn. How many go through grows with the queue: ``slots`` at least, and one more for every
``per_slot`` requests waiting or running (with 25 clients on a worker: 5). This was first a
remedy for keep-alive connections split unevenly between workers (17 and 33 of 50: a worker's
share of Elasticsearch follows the searches it has in flight); since the supervisor deals
connections out evenly (``web.supervisor``) it stays because it still did better than a fixed 2
or 3 per worker in the same hour (docs/benchmarks.md, issue 7, fifth session). The total work is
the same; only the order changes.

One gate per worker process, used on that worker's event loop (it is not thread-safe).
"""

from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType


class SearchGate:
    """An async context manager: ``async with gate: ...`` runs the body once a slot is free.

    Unlike ``asyncio.Semaphore`` it never lets a newcomer overtake a request already waiting,
    even at the moment a slot frees up.
    """

    def __init__(self, slots: int, per_slot: int = 0) -> None:
        if slots < 1 or per_slot < 0:
            raise ValueError(f"a search gate needs at least one slot, got {slots} (per_slot {per_slot})")
        self.min_slots = slots
        self.per_slot = per_slot  # 0: always ``slots``
        self.running = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    @property
    def slots(self) -> int:
        """Searches let through at once now: ``min_slots``, or one per ``per_slot`` in the gate."""
        if not self.per_slot:
            return self.min_slots
        wanted = -(-(self.running + len(self._waiting)) // self.per_slot)  # rounded up
        return max(self.min_slots, wanted)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def __aenter__(self) -> None:
        await self.acquire()

    async def acquire(self) -> None:
        """Take a slot, waiting in line for it; give it back with :meth:`release` (on this loop)."""
        if self.running < self.slots and not self._waiting:
            self.running += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        self._admit()  # a longer queue may mean one more slot (for the longest-waiting request)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._leave()  # the slot was handed over just as the request was cancelled
            else:
                self._waiting.remove(turn)
            raise

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()

    def release(self) -> None:
        """Give back a slot taken with :meth:`acquire` (on the gate's event loop)."""
        self._leave()

    def _leave(self) -> None:
        """Free a slot and hand it to the longest-waiting request (the slot never goes back to idle)."""
        self.running -= 1
        self._admit()

    def _admit(self) -> None:
        """Let the longest-waiting requests through while there are free slots."""
        while self._waiting and self.running < self.slots:
            turn = self._waiting.popleft()
            if not turn.done():
                self.running += 1
                turn.set_result(None)
