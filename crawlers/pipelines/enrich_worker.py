"""The enrichment worker: a process of its own that runs the spaCy pipeline, talked to over a pipe.

The crawl hands it batches of ``{"id", "text"}`` records and gets the enrichment records back,
so enrichment runs on another core while the crawl goes on. The crawl side costs as little as
possible: no threads (a ``ProcessPoolExecutor`` keeps two in the crawl process; this hand-off
costs the crawl a third less CPU per advert), just the pipe's file descriptor watched by the
event loop. While the worker is busy, batches wait in the crawl process and go
over together as soon as it is free: the busier the worker, the larger (and cheaper per advert)
its batches.

``spawn``: the worker is a fresh interpreter, never a fork of a process running a reactor and
threads. When the worker dies, every batch waiting or under way fails with ``WorkerDiedError``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

# At most this many records go to the worker in one message: a batch that waited long is
# split, so one message never holds a whole crawl's worth of adverts.
MAX_RECORDS_PER_MESSAGE = 256
STOP_TIMEOUT = 30.0


class WorkerDiedError(RuntimeError):
    """The worker process ended (or could not start) with batches waiting for it."""


def serve(connection: Connection, radar_yaml: str | None) -> None:
    """The worker process: build the pipeline once, then enrich every batch it is sent."""
    try:
        from pathlib import Path

        from nlp import build_pipeline, enrich_texts
        from radar.config.loader import load_config

        nlp = build_pipeline(load_config(Path(radar_yaml)) if radar_yaml else None)
    except Exception as error:  # reported to the crawl, which goes on without enrichment
        connection.send_bytes(pickle.dumps(("failed", repr(error))))
        return
    connection.send_bytes(pickle.dumps(("ready", time.process_time())))
    while True:
        try:
            message = connection.recv_bytes()
        except (EOFError, OSError):  # the crawl closed its end: done
            return
        records = pickle.loads(message)  # noqa: S301 (from the crawl that started us, over our own pipe)
        try:
            reply: tuple[Any, ...] = ("done", list(enrich_texts(nlp, records)), time.process_time())
        except Exception as error:  # enrich_texts never drops an advert; this is a bug: fail the batch
            reply = ("error", repr(error), time.process_time())
        connection.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


class EnrichWorker:
    """The crawl's side of one worker process (use from the event loop's thread only)."""

    def __init__(self, radar_yaml: str | None) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe(duplex=True)
        self.process = context.Process(
            target=serve, args=(child, radar_yaml), name="smokkelradar-enrich", daemon=True
        )
        self.process.start()
        child.close()  # only the worker holds its end: its death reads as end-of-file here
        self._waiting: list[tuple[list[dict[str, str]], asyncio.Future[list[dict[str, Any]]]]] = []
        # The batches of the message under way, with how many records each holds.
        self._sent: list[tuple[int, asyncio.Future[list[dict[str, Any]]]]] = []
        self._ready: asyncio.Future[None] | None = None
        self._dead: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # The worker's CPU seconds as of its last reply (for the benchmark's CPU per advert).
        self.cpu_seconds = 0.0
        self.cpu_at_ready = 0.0

    async def started(self) -> None:
        """Wait until the worker built its pipeline; raises ``WorkerDiedError`` when it could not."""
        loop = self._loop = asyncio.get_running_loop()
        self._ready = loop.create_future()
        loop.add_reader(self._connection.fileno(), self._readable)
        await self._ready

    async def enrich(self, records: list[dict[str, str]]) -> list[dict[str, Any]]:
        """One enrichment record per record, in order."""
        if self._dead is not None:
            raise WorkerDiedError(self._dead)
        future: asyncio.Future[list[dict[str, Any]]] = asyncio.get_running_loop().create_future()
        self._waiting.append((records, future))
        if not self._sent:
            self._send()
        return await future

    def _send(self) -> None:
        """Send what waits (up to MAX_RECORDS_PER_MESSAGE records) as one message."""
        batch: list[dict[str, str]] = []
        while self._waiting and (
            not batch or len(batch) + len(self._waiting[0][0]) <= MAX_RECORDS_PER_MESSAGE
        ):
            records, future = self._waiting.pop(0)
            batch += records
            self._sent.append((len(records), future))
        if not batch:
            return
        try:
            self._connection.send_bytes(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError as error:
            self._died(f"the enrichment worker is gone ({error})")

    def _readable(self) -> None:
        try:
            reply = pickle.loads(self._connection.recv_bytes())  # noqa: S301 (our own worker, our own pipe)
        except (EOFError, OSError):
            self._died(f"the enrichment worker process ended (exit code {self.process.exitcode})")
            return
        kind = reply[0]
        if kind in ("ready", "failed"):
            if kind == "ready":
                self.cpu_seconds = self.cpu_at_ready = float(reply[1])
            if self._ready is not None and not self._ready.done():
                if kind == "ready":
                    self._ready.set_result(None)
                else:
                    self._ready.set_exception(WorkerDiedError(f"the worker could not build it: {reply[1]}"))
            return
        self.cpu_seconds = float(reply[2])
        sent, self._sent = self._sent, []
        if kind == "done":
            results: Sequence[dict[str, Any]] = reply[1]
            start = 0
            for size, future in sent:
                if not future.done():
                    future.set_result(list(results[start : start + size]))
                start += size
        else:
            for _, future in sent:
                if not future.done():
                    future.set_exception(RuntimeError(f"enrichment failed in the worker: {reply[1]}"))
        self._send()

    def _died(self, why: str) -> None:
        self._dead = why
        self._unwatch()
        futures: list[asyncio.Future[Any]] = [future for _, future in self._sent]
        futures += [future for _, future in self._waiting]
        if self._ready is not None:
            futures.append(self._ready)
        self._sent, self._waiting = [], []
        for future in futures:
            if not future.done():
                future.set_exception(WorkerDiedError(why))

    def _unwatch(self) -> None:
        if self._loop is not None:
            self._loop.remove_reader(self._connection.fileno())
            self._loop = None

    def stop(self) -> None:
        """End the worker (it finishes the message it holds) and close the pipe."""
        self._unwatch()
        self._connection.close()
        self.process.join(STOP_TIMEOUT)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(STOP_TIMEOUT)
