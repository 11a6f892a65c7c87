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
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from indexer.clusters import sync_dirty_clusters
from indexer.dedup import NearDuplicates
from indexer.pins import Pins
from indexer.prepare import Batch, prepare
from indexer.spool import Spool, SpoolEntry
from radar.logs import get_logger

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = get_logger("indexer.bulk")

RETRY_STATUSES = (429, 500, 502, 503, 504)
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
    chunk_size: int = 500
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
        # The next batch is prepared (MinHash, documents) while the current one is being sent, so
        # our CPU work overlaps Elasticsearch's instead of adding to it.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="drain-prepare") as worker:
            upcoming: Future[Batch] | None = worker.submit(self._next_batch)
            while upcoming is not None:
                batch = upcoming.result()
                upcoming = None
                if not batch.entries:
                    break
                report.batches += 1
                if options.max_batches is None or report.batches < options.max_batches:
                    upcoming = worker.submit(self._next_batch)
                outcome = self._send(batch, report)
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

    def _next_batch(self) -> Batch:
        return prepare(self.spool.lease(self.options.batch_size), self.store, self.pins)

    def _give_back(self, upcoming: Future[Batch] | None) -> None:
        """A batch prepared but never sent goes back to the spool untouched."""
        if upcoming is not None:
            self.spool.release(upcoming.result().entries, "prepared, not sent", attempt=False)

    # ------------------------------------------------------------ one round

    def _send(self, batch: Batch, report: DrainReport) -> _Round:
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
        unanswered = [entry for entry, document_id, _ in batch.documents if document_id not in answered]
        self._settle(outcome, unanswered, report)
        return outcome

    def _bulk(
        self, prepared: list[tuple[SpoolEntry, str, dict[str, Any]]]
    ) -> Iterable[tuple[bool, dict[str, Any]]]:
        from elasticsearch.helpers import streaming_bulk

        def actions() -> Iterator[dict[str, Any]]:
            for _, document_id, document in prepared:
                yield {"_op_type": "index", "_index": self.alias, "_id": document_id, "_source": document}

        options = self.options
        return streaming_bulk(
            self.client,
            actions(),
            chunk_size=options.chunk_size,
            max_chunk_bytes=options.max_chunk_bytes,
            raise_on_error=False,
            raise_on_exception=False,
            max_retries=options.bulk_retries,
            initial_backoff=options.initial_backoff,
            max_backoff=options.max_backoff,
            retry_on_status=RETRY_STATUSES,
            # Never let a write to a missing alias create a stray index of that name.
            require_alias=True,
        )

    def _settle(self, outcome: _Round, unanswered: list[SpoolEntry], report: DrainReport) -> None:
        self.spool.ack(outcome.acked)
        if outcome.rejected:
            self.spool.bury(outcome.rejected)
            self.store.forget(entry.advert_id for entry, _ in outcome.rejected)
            for _, reason in outcome.rejected:
                kind = reason.split(":")[0]
                report.reasons[kind] = report.reasons.get(kind, 0) + 1
        for entry, reason in outcome.retry:
            self.spool.release([entry], reason)
        if unanswered:
            self.spool.release(unanswered, outcome.failure or "no answer from Elasticsearch")
        report.indexed += len(outcome.acked)
        report.dead += len(outcome.rejected)
        report.retried += len(outcome.retry) + len(unanswered)
