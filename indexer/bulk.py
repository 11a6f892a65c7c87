"""The drain: spool -> near-duplicate clusters -> ``streaming_bulk`` -> acknowledged entries removed.

Each round leases a batch from the spool, turns the items into documents (with their
cluster and case pins), and feeds them to ``streaming_bulk`` from a generator. The document
``_id`` is derived from the advert id, so sending an entry twice (after a crash, a timeout or
an outage) overwrites instead of duplicating. What happens to each entry:

* acknowledged (2xx) -> removed from the spool;
* rejected for good (400 mapping errors and other non-transient failures) -> dead-letter table,
  with Elasticsearch's reason, never silently dropped;
* refused for now (429, 5xx, after ``streaming_bulk``'s own retries) or no answer at all
  (connection refused, timeout) -> given back to the spool; the drain backs off (doubling
  up to ``max_backoff``) and tries again, and ends the run after ``give_up_after`` seconds
  without Elasticsearch. The entries wait in the spool for the next run.

Results are counted in a :class:`DrainReport`, not logged per document.

The drain is Python work (leasing, clusters, documents, JSON) beside Elasticsearch's work on
the same machine, so it is arranged to overlap with it: a worker thread leases and prepares the
next batch, serialized, and settles (acknowledges) the previous one while the current batch is
in flight; ``streaming_bulk`` then only sends bytes, and asks for the few fields it reads back.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from indexer.bulk_outcome import RETRY_STATUSES, DrainReport, RoundOutcome, record_outcome, sort_answers
from indexer.clusters import sync_dirty_clusters
from indexer.dedup import NearDuplicates
from indexer.pins import Pins
from indexer.prepare import Batch, Document, prepare
from indexer.spool import Spool, SpoolEntry
from radar.logs import get_logger

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

__all__ = ["BULK_FILTER", "DrainOptions", "DrainReport", "Drainer"]

log = get_logger("indexer.bulk")

# What the drain reads of each bulk answer (and, for a refused request, Elasticsearch's reason);
# Elasticsearch leaves out the rest: less for it to write and for us to parse.
BULK_FILTER = "items.*._id,items.*.status,items.*.error,error,status"
# Threads sending batches, taking turns at Elasticsearch (OneRequestAtATime).
SENDERS = 2
# A young-generation collection every this many allocations while draining (the default is 700).
GC_YOUNG_THRESHOLD = 50_000


@dataclass(frozen=True)
class DrainOptions:
    batch_size: int = 2000
    chunk_size: int = 1000  # documents per _bulk request (about 2 MB of adverts)
    max_chunk_bytes: int = 10 * 2**20
    bulk_retries: int = 3  # streaming_bulk's own retries of a chunk answered 429/5xx
    initial_backoff: float = 0.5
    max_backoff: float = 30.0
    give_up_after: float | None = 120.0  # seconds without Elasticsearch before this run stops
    max_batches: int | None = None
    refresh: bool = True  # make the new documents searchable before returning


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while draining.

    A batch in flight is tens of thousands of small dicts and lists decoded from JSON; they
    hold no reference cycles, so reference counting frees them, but with the default
    thresholds the collector keeps re-scanning them (measured: a fifth of the drain's CPU).
    Cycles are still collected, only less often; the thresholds are restored afterwards.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], GC_YOUNG_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class OneRequestAtATime:
    """The client for the sender threads: their ``_bulk`` requests reach Elasticsearch one at a time.

    ``streaming_bulk`` builds a request (and reads an answer) in Python before (and after) it
    is sent; with two senders taking turns, that work happens while the other sender's request
    is at Elasticsearch, which meanwhile handles one request at a time, as without them.
    """

    def __init__(self, client: Elasticsearch, gate: threading.Lock | None = None) -> None:
        object.__setattr__(self, "_client", client)
        object.__setattr__(self, "_gate", gate or threading.Lock())

    def options(self, **settings: Any) -> Elasticsearch:
        # streaming_bulk takes a copy with options of its own: it must share the turns.
        return cast("Elasticsearch", OneRequestAtATime(self._client.options(**settings), self._gate))

    def bulk(self, **request: Any) -> Any:
        with self._gate:
            return self._client.bulk(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._client, name, value)  # streaming_bulk marks its copy (client meta header)


class Drainer:
    """Drains one spool into one alias. Not thread-safe; hold ``indexer.locks.writer_lock`` around it."""

    def __init__(
        self,
        client: Elasticsearch,
        alias: str,
        spool: Spool,
        store: NearDuplicates,
        pins: Pins | None = None,
        options: DrainOptions | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.alias = alias
        self.spool = spool
        self.store = store
        self.pins = pins
        self.options = options or DrainOptions()
        self._sleep = sleep
        self._clock = clock

    def run(self) -> DrainReport:
        """Drain until the spool is empty, Elasticsearch stays away too long, or max_batches."""
        report = DrainReport()
        options = self.options
        backoff, down_since, available = options.initial_backoff, None, True
        # One worker thread does the spool and preparation work in order: lease and prepare the
        # next batch, then settle the batches sent, while two sender threads take turns: one
        # request at Elasticsearch at a time (as a plain one-at-a-time _bulk loop), while the
        # other builds its next request and reads its last answer. Our CPU work thus overlaps
        # Elasticsearch's instead of adding to it, and Elasticsearch waits for no request.
        client = cast("Elasticsearch", OneRequestAtATime(self.client))
        with (
            fewer_collections(),
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="drain") as worker,
            ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="drain-send") as senders,
        ):
            settling: list[Future[None]] = []
            sending: deque[Future[RoundOutcome]] = deque()
            # The first batch only as large as one request, so that Elasticsearch starts sooner.
            first = min(options.batch_size, options.chunk_size)
            upcoming: Future[Batch] | None = worker.submit(self._next_batch, first)
            while upcoming is not None or sending:
                if upcoming is not None and len(sending) < SENDERS:
                    batch = upcoming.result()
                    upcoming = None
                    if batch.entries:
                        report.batches += 1
                        if options.max_batches is None or report.batches < options.max_batches:
                            upcoming = worker.submit(self._next_batch, options.batch_size)
                        sending.append(senders.submit(self._send, batch, client))
                    continue
                outcome = sending.popleft().result()
                settling = [*_finished(settling), worker.submit(self._settle, outcome, report)]
                available = outcome.available
                if available:
                    backoff, down_since = options.initial_backoff, None
                    continue
                report.outages += 1
                down_since = self._clock() if down_since is None else down_since
                waited = self._clock() - down_since
                if outcome.fatal:
                    report.stopped = f"Elasticsearch refused the requests: {outcome.failure}"
                elif options.give_up_after is not None and waited >= options.give_up_after:
                    report.stopped = f"Elasticsearch unavailable for {waited:.0f} s: {outcome.failure}"
                if report.stopped != "spool empty":
                    self._give_back(upcoming)
                    upcoming = None
                    for pending in sending:  # sent already: what Elasticsearch said is recorded too
                        settling.append(worker.submit(self._settle, pending.result(), report))
                    break
                log.warning(
                    "Elasticsearch unavailable; entries stay in the spool, retrying",
                    extra={"backoff_s": backoff, "reason": outcome.failure or outcome.retry[0][1]},
                )
                self._sleep(backoff)
                backoff = min(backoff * 2, options.max_backoff)
            self._give_back(upcoming)
            for recorded in settling:
                recorded.result()  # every acknowledgement recorded (or its error raised) before we go on
        if available:  # otherwise the dirty clusters wait for the next run
            report.cluster_updates = sync_dirty_clusters(self.client, self.store, self.alias).updated
            if options.refresh:
                self._refresh()
        log.info("drain finished", extra={"stopped": report.stopped, **report.counts()})
        return report

    def _refresh(self) -> None:
        from elasticsearch import ApiError, TransportError

        try:
            self.client.indices.refresh(index=self.alias)
        except (TransportError, ApiError) as error:  # indexed all the same; visible within a second
            log.warning("refresh failed", extra={"error": str(error)})

    def _next_batch(self, size: int) -> Batch:
        """Lease the next batch and prepare its documents as JSON bytes (in the worker thread)."""
        return prepare(self.spool.lease(size), self.store, self.pins, serialized=True)

    def _give_back(self, upcoming: Future[Batch] | None) -> None:
        """A batch prepared but never sent goes back to the spool untouched."""
        if upcoming is not None:
            self.spool.release(upcoming.result().entries, "prepared, not sent", attempt=False)

    # ------------------------------------------------------------ one round

    def _send(self, batch: Batch, client: Elasticsearch) -> RoundOutcome:
        """Send one batch and file the answers (in a sender thread)."""
        sent = [(entry, document_id) for entry, document_id, _ in batch.documents]
        answers = self._bulk(client, batch.documents)
        return sort_answers(sent, answers, RoundOutcome(rejected=list(batch.rejected)))

    def _bulk(
        self, client: Elasticsearch, prepared: list[tuple[SpoolEntry, str, Document]]
    ) -> Iterable[tuple[bool, dict[str, Any]]]:
        from elasticsearch.helpers import streaming_bulk

        alias = self.alias

        def actions() -> Iterator[dict[str, Any]]:
            for _, document_id, document in prepared:
                yield {"_id": document_id, "_source": document}

        def expand(action: Any) -> tuple[dict[str, Any], Document]:
            # The document is serialized already (in the worker); only the action line is left.
            return {"index": {"_index": alias, "_id": action["_id"]}}, action["_source"]

        options = self.options
        return streaming_bulk(
            client,
            actions(),
            chunk_size=options.chunk_size,
            max_chunk_bytes=options.max_chunk_bytes,
            expand_action_callback=expand,
            raise_on_error=False,
            raise_on_exception=False,
            max_retries=options.bulk_retries,
            initial_backoff=options.initial_backoff,
            max_backoff=options.max_backoff,
            retry_on_status=RETRY_STATUSES,
            # Never let a write to a missing alias create a stray index of that name.
            require_alias=True,
            filter_path=BULK_FILTER,
        )

    def _settle(self, outcome: RoundOutcome, report: DrainReport) -> None:
        """Record a round's outcome in the spool (in the worker thread, after the next batch is ready)."""
        record_outcome(self.spool, self.store, outcome, report)


def _finished(futures: list[Future[None]]) -> list[Future[None]]:
    """The futures still running; raises the error of any that failed."""
    for future in futures:
        if future.done():
            future.result()
    return [future for future in futures if not future.done()]
