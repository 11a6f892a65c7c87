"""The enrichment worker: a process of its own that runs the spaCy pipeline, talked to over a pipe.

The crawl hands it batches of ``{"id", "text"}`` records and gets the enrichment records back,
so enrichment runs on another core while the crawl goes on. It also writes the crawl's spool
batches (``store``): staging an advert for the indexer (its document and MinHash signature) and
the SQLite transaction cost more CPU than anything else the crawl does per advert after
parsing, and the crawl process is the one that limits a crawl's speed. The crawl keeps each
batch until the worker says it is committed and writes it itself should the worker die. The
enrichment records the worker packed for the crawl come back with the batch; the worker keeps
them (``crawlers.pipelines.kept_records``) so it need not unpickle them again.

The crawl side costs as little as possible: no threads while it works (a ``ProcessPoolExecutor``
keeps two in the crawl process; this hand-off costs the crawl a third less CPU per advert), just
the pipe's file descriptor watched by the event loop. One message is under way at a time; while
the worker is busy, enrichment batches wait in the crawl process and go over together as soon as
it is free: the busier the worker, the larger (and cheaper per advert) its batches.

``spawn``: the worker is a fresh interpreter, never a fork of a process running a reactor and
threads. When the worker dies (or is stopped), every batch waiting or under way fails with
``WorkerDiedError``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
import threading
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from crawlers.pipelines.kept_records import KeptRecords

# At most this many records go to the worker in one message: a batch that waited long is
# split, so one message never holds a whole crawl's worth of adverts.
MAX_RECORDS_PER_MESSAGE = 256
STOP_TIMEOUT = 30.0


class WorkerDiedError(RuntimeError):
    """The worker process ended (or could not start) with batches waiting for it."""


class StoreFailedError(RuntimeError):
    """The worker could not write a batch to the spool (nothing of it was committed)."""


def serve(connection: Connection, radar_yaml: str | None) -> None:
    """The worker process: build the pipeline once, then enrich every batch it is sent."""
    try:
        from nlp import build_pipeline, enrich_texts
        from radar.config.loader import load_config

        nlp = build_pipeline(load_config(Path(radar_yaml)) if radar_yaml else None)
    except Exception as error:  # reported to the crawl, which goes on without enrichment
        connection.send_bytes(pickle.dumps(("failed", repr(error))))
        return
    connection.send_bytes(pickle.dumps(("ready", time.process_time())))
    spools: dict[str, Any] = {}  # spool path -> indexer.spool.Spool, opened by the first batch for it
    kept = KeptRecords()
    # CPU seconds spent on spool batches so far: every reply carries it after the process's CPU
    # time, so the crawl can tell enrichment and spool writes apart (the benchmark prints both).
    store_seconds = 0.0
    try:
        while True:
            try:
                message = connection.recv_bytes()
            except (EOFError, OSError):  # the crawl closed its end: done
                return
            started = time.process_time()
            # From the crawl that started us, over our own pipe.
            kind, *payload = pickle.loads(message)  # noqa: S301
            if kind == "store":
                reply = _store(spools, kept, *payload)
                store_seconds += reply[2] - started  # reading the batch included
            else:
                reply = _enrich(nlp, enrich_texts, kept, *payload)
            connection.send_bytes(pickle.dumps((*reply, store_seconds), protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        for spool in spools.values():
            spool.close()


def _enrich(
    nlp: Any, enrich_texts: Any, kept: KeptRecords, records: list[dict[str, str]], packed: bool
) -> tuple[Any, ...]:
    """The enrichment records (without their ids), each packed on its own when ``packed``: then
    the crawl process only hands them back with the spool batch, without ever unpacking them."""
    try:
        results: list[Any] = list(enrich_texts(nlp, records))
    except Exception as error:  # enrich_texts never drops an advert; this is a bug: fail the batch
        return ("error", repr(error), time.process_time())
    if packed:
        for result in results:
            result.pop("id", None)
        results = [kept.pack(result) for result in results]
    return ("done", results, time.process_time())


def _store(
    spools: dict[str, Any], kept: KeptRecords, path: str, records: list[dict[str, Any]]
) -> tuple[Any, ...]:
    """One spool transaction for a batch: all of it committed, or nothing (the crawl drops it)."""
    try:
        spool = spools.get(path)
        if spool is None:
            from indexer.spool import Spool

            spool = spools[path] = Spool(Path(path))
        spool.put_many([kept.unpack(record) for record in records])
    except Exception as error:  # reported per advert by the crawl's spool pipeline
        return ("store_failed", str(error) or repr(error), time.process_time())
    return ("stored", len(records), time.process_time())


# A batch waiting for the worker: what it is, its records (and spool path), and who waits for it.
_Job = tuple[str, list[dict[str, Any]], str, "asyncio.Future[Any]"]


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
        self._waiting: list[_Job] = []
        # The message under way: its kind and its batches, with how many records each holds.
        self._sent_kind = ""
        self._sent: list[tuple[int, asyncio.Future[Any]]] = []
        self._ready: asyncio.Future[None] | None = None
        self._dead: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # The worker's CPU seconds as of its last reply (for the benchmark's CPU per advert), and
        # how many of them went into spool batches (the rest is enrichment and the pipe).
        self.cpu_seconds = 0.0
        self.cpu_at_ready = 0.0
        self.store_cpu_seconds = 0.0
        self.reaper: threading.Thread | None = None  # waits for the process once it is stopped

    @property
    def alive(self) -> bool:
        """Started and neither dead nor stopped: worth sending work to."""
        return self._dead is None and self._ready is not None and self._ready.done()

    async def started(self) -> None:
        """Wait until the worker built its pipeline; raises ``WorkerDiedError`` when it could not."""
        loop = self._loop = asyncio.get_running_loop()
        self._ready = loop.create_future()
        loop.add_reader(self._connection.fileno(), self._readable)
        await self._ready

    async def enrich(self, records: list[dict[str, str]]) -> list[dict[str, Any]]:
        """One enrichment record per record, in order."""
        result: list[dict[str, Any]] = await self._submit("enrich", records, "")
        return result

    async def enrich_packed(self, records: list[dict[str, str]]) -> list[bytes]:
        """The same without the ids, each packed (``crawlers.items.pack_enrichment``), for a crawl
        whose spool batches this worker writes: the crawl process never needs to unpack them."""
        result: list[bytes] = await self._submit("enrich_packed", records, "")
        return result

    async def store(self, spool_path: Path, records: list[dict[str, Any]]) -> None:
        """Put ``records`` (``Advert.record()``) into the spool at ``spool_path`` in one transaction.

        Returns once committed; raises ``StoreFailedError`` (nothing committed) or
        ``WorkerDiedError`` (committed or not: the caller writes the batch again; ``put`` is
        idempotent by advert id)."""
        await self._submit("store", records, str(spool_path))

    async def idle(self) -> None:
        """Wait until every batch handed over so far is answered (or failed)."""
        pending = [future for _, future in self._sent] + [job[3] for job in self._waiting]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    async def _submit(self, kind: str, records: list[dict[str, Any]], path: str) -> Any:
        if self._dead is not None:
            raise WorkerDiedError(self._dead)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((kind, records, path, future))
        if not self._sent:
            self._send()
        return await future

    def _send(self) -> None:
        """Send what waits as one message: a spool batch alone, or enrichment batches together
        (up to MAX_RECORDS_PER_MESSAGE records)."""
        if not self._waiting:
            return
        kind, _, path, _ = self._waiting[0]
        batch: list[dict[str, Any]] = []
        while self._waiting and self._waiting[0][0] == kind:
            records = self._waiting[0][1]
            if batch and (kind == "store" or len(batch) + len(records) > MAX_RECORDS_PER_MESSAGE):
                break
            future = self._waiting.pop(0)[3]
            batch += records
            self._sent.append((len(records), future))
        self._sent_kind = kind
        message = ("store", path, batch) if kind == "store" else ("enrich", batch, kind == "enrich_packed")
        try:
            self._connection.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
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
        self.cpu_seconds, self.store_cpu_seconds = float(reply[2]), float(reply[3])
        sent, self._sent = self._sent, []
        for (_, future), outcome in zip(sent, _outcomes(kind, reply[1], sent), strict=True):
            if not future.done():
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
        self._send()

    def _died(self, why: str) -> None:
        self._dead = why
        self._unwatch()
        futures: list[asyncio.Future[Any]] = [future for _, future in self._sent]
        futures += [job[3] for job in self._waiting]
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
        """End the worker (it finishes the message it holds) and close the pipe; batches not
        answered yet fail with ``WorkerDiedError`` (their callers fall back).

        The worker exits on its own once it reads the end of the pipe. A thread of its own waits
        for that (``reaper``), not the caller: shutting down an interpreter that holds the spaCy
        pipeline takes some 70 ms, and the crawl's event loop (its report, other spiders in the
        same process) need not stand still for it. The thread is not a daemon, so the crawl
        process still waits for its worker before it exits."""
        if self._dead is None:
            self._died("the enrichment worker was stopped")
        self._connection.close()
        if self.reaper is None:
            self.reaper = threading.Thread(
                target=_reap, args=(self.process,), name="smokkelradar-enrich-reaper", daemon=False
            )
            self.reaper.start()


def _reap(process: Any) -> None:
    """Wait for a stopped worker to exit; end it should it not (a batch stuck in a component)."""
    process.join(STOP_TIMEOUT)
    if process.is_alive():
        process.terminate()
        process.join(STOP_TIMEOUT)


def _outcomes(kind: str, value: Any, sent: list[tuple[int, asyncio.Future[Any]]]) -> list[Any]:
    """Each batch's result (or exception) from the worker's reply to their message."""
    if kind == "done":  # enrichment records, in the order of the batches
        results: Sequence[dict[str, Any]] = value
        outcomes: list[Any] = []
        start = 0
        for size, _ in sent:
            outcomes.append(list(results[start : start + size]))
            start += size
        return outcomes
    if kind == "stored":
        return [None] * len(sent)
    if kind == "store_failed":
        return [StoreFailedError(f"the spool did not take the batch: {value}")] * len(sent)
    return [RuntimeError(f"enrichment failed in the worker: {value}")] * len(sent)
