"""Gather items from concurrent ``process_item`` calls into batches for work that is cheaper in bulk.

Enrichment (``nlp.pipe``) and the spool (one SQLite transaction, one fsync) cost far less per
advert in batches. ``Batcher.submit(value)`` waits until its batch ran and returns the value's
own result (or raises the batch's error), so an item still leaves a pipeline only when its work
is done. A batch starts when ``size`` values wait or ``wait`` seconds after the first one, so the
last items of a crawl never wait long for company that is not coming; when the owner can tell that
none is coming (``no_more``, see ``crawlers.pipelines.draining``), it starts as soon as the values
that arrive together are in. ``drain()`` finishes what is left.
The work is a coroutine function, so it may run elsewhere (another process) while the crawl goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    def __init__(
        self,
        work: Callable[[Sequence[T]], Awaitable[Sequence[R]]],
        size: int,
        wait: float,
        no_more: Callable[[], bool] | None = None,
    ) -> None:
        self.work = work
        self.size = max(1, size)
        self.wait = wait
        # True when no further value will come soon: the batch need not wait out ``wait``.
        self.no_more = no_more
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._timer: asyncio.Handle | None = None
        self._running: set[asyncio.Task[None]] = set()
        self.values_running = 0  # values in batches started and not finished

    async def submit(self, value: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._pending.append((value, future))
        if len(self._pending) >= self.size:
            self.start()
        elif self.no_more is not None and self.no_more():
            # On the next turn of the loop, so that values submitted in this one go together; a
            # ``wait`` timer (a TimerHandle; the next turn's is a plain Handle) is given up.
            if isinstance(self._timer, asyncio.TimerHandle):
                self._timer.cancel()
                self._timer = None
            if self._timer is None:
                self._timer = loop.call_soon(self.start)
        elif self._timer is None:
            self._timer = loop.call_later(self.wait, self.start)
        return await future

    def start(self) -> None:
        """Start the work for every waiting value."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if batch:
            task = asyncio.ensure_future(self._run(batch))
            self._running.add(task)  # keep a reference until it is done
            task.add_done_callback(self._running.discard)

    async def _run(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        self.values_running += len(batch)
        try:
            results = await self.work([value for value, _ in batch])
        except Exception as error:  # the batch's error is each item's error
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        finally:
            self.values_running -= len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def drain(self) -> None:
        """Run what waits and wait for every batch still running."""
        self.start()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    def __len__(self) -> int:
        return len(self._pending)
