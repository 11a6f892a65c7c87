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
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from indexer.clusters import sync_dirty_clusters
from indexer.dedup import NearDuplicates
from indexer.pins import Pins
from indexer.prepare import Batch, Document, prepare
from indexer.spool import Spool, SpoolEntry
from radar.logs import get_logger

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = get_logger("indexer.bulk")

RETRY_STATUSES = (429, 500, 502, 503, 504)
# What the drain reads of each bulk answer (and, for a refused request, Elasticsearch's reason);
# Elasticsearch leaves out the rest: less for it to write and for us to parse.
BULK_FILTER = "items.*._id,items.*.status,items.*.error,error,status"
# A young-generation collection every this many allocations while draining (the default is 700).
GC_YOUNG_THRESHOLD = 50_000
# Per-document errors that say "not now" rather than "never": the entry stays in the spool.
TRANSIENT_ERRORS = frozenset(
    {
        "es_rejected_execution_exception",
        "cluster_block_exception",
        "unavailable_shards_exception",
        "index_not_found_exception",
        "node_closed_exception",
        "circuit_breaking_exception",
    }
)


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


@dataclass
class DrainReport:
    indexed: int = 0
    dead: int = 0
    retried: int = 0  # entries given back to the spool for a later attempt
    batches: int = 0
    outages: int = 0  # rounds in which Elasticsearch did not answer or refused for now
    cluster_updates: int = 0
    stopped: str = "spool empty"
    reasons: dict[str, int] = field(default_factory=dict)  # dead-letter reasons, counted

    def counts(self) -> dict[str, int]:
        return {
            "indexed": self.indexed,
            "dead": self.dead,
            "retried": self.retried,
            "batches": self.batches,
            "outages": self.outages,
            "cluster_updates": self.cluster_updates,
        }


@dataclass
class _Round:
    acked: list[SpoolEntry] = field(default_factory=list)
    rejected: list[tuple[SpoolEntry, str]] = field(default_factory=list)
    retry: list[tuple[SpoolEntry, str]] = field(default_factory=list)
    unanswered: list[SpoolEntry] = field(default_factory=list)
    failure: str | None = None  # whole-request failure: Elasticsearch unreachable or refusing
    fatal: bool = False  # refusing for a reason waiting will not fix (401, 403)


def error_reason(status: Any, error: Any) -> str:
    """Elasticsearch's per-document error as one line: ``400 mapper_parsing_exception: ...``."""
    if isinstance(error, Mapping):
        text = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, Mapping):
            text += f" (caused by {cause.get('type', '?')}: {cause.get('reason', '')})"
    else:
        text = str(error)
    return f"{status} {text}"


def is_transient(status: Any, error: Any) -> bool:
    if not isinstance(status, int) or status in RETRY_STATUSES:
        return True
    return isinstance(error, Mapping) and error.get("type") in TRANSIENT_ERRORS


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
        # next batch, then settle the batch just sent, while the main thread sends. Our CPU work
        # thus overlaps Elasticsearch's instead of adding to it.
        with fewer_collections(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="drain") as worker:
            settling: list[Future[None]] = []
            # The first batch only as large as one request, so that Elasticsearch starts sooner.
            first = min(options.batch_size, options.chunk_size)
            upcoming: Future[Batch] | None = worker.submit(self._next_batch, first)
            while upcoming is not None:
                batch = upcoming.result()
                upcoming = None
                if not batch.entries:
                    break
                report.batches += 1
                if options.max_batches is None or report.batches < options.max_batches:
                    upcoming = worker.submit(self._next_batch, options.batch_size)
                outcome = self._send(batch)
                settling = [*_finished(settling), worker.submit(self._settle, outcome, report)]
                available = outcome.failure is None and not outcome.retry
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
                    break
                log.warning(
                    "Elasticsearch unavailable; entries stay in the spool, retrying",
                    extra={"backoff_s": backoff, "reason": outcome.failure or outcome.retry[0][1]},
                )
                self._sleep(backoff)
                backoff = min(backoff * 2, options.max_backoff)
            self._give_back(upcoming)
            for pending in settling:
                pending.result()  # every acknowledgement recorded (or its error raised) before we go on
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

    def _send(self, batch: Batch) -> _Round:
        outcome = _Round(rejected=list(batch.rejected))
        by_id = {document_id: entry for entry, document_id, _ in batch.documents}
        answered: set[str] = set()
        try:
            for ok, info in self._bulk(batch.documents):
                result = info.get("index", {})
                entry = by_id[result["_id"]]
                answered.add(result["_id"])
                if ok:
                    outcome.acked.append(entry)
                    continue
                status, error = result.get("status"), result.get("error")
                if "exception" in result and not isinstance(status, int):
                    status = "N/A"
                reason = error_reason(status, error)
                (outcome.retry if is_transient(status, error) else outcome.rejected).append((entry, reason))
        except Exception as error:  # the transport's errors, and ApiError for the whole request
            outcome.failure = f"{type(error).__name__}: {error}"
            outcome.fatal = getattr(error, "status_code", None) in (401, 403)
        outcome.unanswered = [entry for entry, doc_id, _ in batch.documents if doc_id not in answered]
        return outcome

    def _bulk(
        self, prepared: list[tuple[SpoolEntry, str, Document]]
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
            self.client,
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

    def _settle(self, outcome: _Round, report: DrainReport) -> None:
        """Record a round's outcome in the spool (in the worker thread, after the next batch is ready)."""
        self.spool.ack(outcome.acked)
        if outcome.rejected:
            self.spool.bury(outcome.rejected)
            self.store.forget(entry.advert_id for entry, _ in outcome.rejected)
            for _, reason in outcome.rejected:
                kind = reason.split(":")[0]
                report.reasons[kind] = report.reasons.get(kind, 0) + 1
        for entry, reason in outcome.retry:
            self.spool.release([entry], reason)
        if outcome.unanswered:
            self.spool.release(outcome.unanswered, outcome.failure or "no answer from Elasticsearch")
        report.indexed += len(outcome.acked)
        report.dead += len(outcome.rejected)
        report.retried += len(outcome.retry) + len(outcome.unanswered)


def _finished(futures: list[Future[None]]) -> list[Future[None]]:
    """The futures still running; raises the error of any that failed."""
    for future in futures:
        if future.done():
            future.result()
    return [future for future in futures if not future.done()]
