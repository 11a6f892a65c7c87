"""``smokkelradar reenrich``: re-tag indexed adverts from their stored text with the live keywords.

Pages of adverts not yet tagged with the current keyword version (``keywords_version``), in
``advert_id`` order, are read, re-enriched, and written back as partial updates in bulk — only
the fields the enrichment owns (``workbench.enriched``), never ``indexed_at``, the cluster, the
evidence or the case pins. Each page is read and written under the indexer's writer lock
(``indexer.locks``), so a drain never interleaves with it and a page never overwrites a newer
version of an advert; the lock is released between pages, so crawled adverts keep flowing in.

Resumable: the cursor of every acknowledged page is in the checkpoint (``checkpoint``); a
stopped run continues where it stopped. Only one run at a time (``reenrich.lock``). Alerts:
``backfill`` mails every advert that newly matches a saved search, once.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer.locks import writer_lock
from indexer.settings import IndexerSettings
from indexer.templates import ensure_adverts_index
from nlp.version import keywords_version
from nlp.vocabulary import keyword_files_of
from radar.config.loaded import Config
from radar.errors import Code, RadarError
from radar.logs import get_logger
from workbench.enriched import SOURCE_FIELDS, changed, enriched_fields, text_of
from workbench.reenrich.backfill import Backfill
from workbench.reenrich.checkpoint import CHECKPOINT_FILE, Checkpoints, Run
from workbench.sample import window_filters

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = get_logger("workbench.reenrich")
RUN_LOCK_FILE = "reenrich.lock"


@dataclass(frozen=True)
class ReenrichOptions:
    since: datetime | None = None
    sources: tuple[str, ...] = ()
    batch_size: int = 500
    backfill: bool = True
    deliver: bool = False  # at the end, mail the immediate searches' queued matches and send what is due
    restart: bool = False  # start afresh instead of resuming a stopped run
    lock_wait: float = 120.0  # seconds to wait for the indexer's writer lock per page
    max_pages: int | None = None  # stop after this many pages (the run stays resumable)


@dataclass
class ReenrichReport:
    run: Run
    resumed: bool = False
    seconds: float = 0.0
    mails_sent: int = 0
    pages: int = 0

    @property
    def rate(self) -> float:
        return self.run.seen / self.seconds if self.seconds else 0.0


@contextmanager
def run_lock(state: Path) -> Iterator[None]:
    """One re-enrichment per state folder; released by the kernel if the process dies."""
    state.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(state / RUN_LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RadarError(
                Code.REENRICH_BUSY,
                f"a re-enrichment is already running for {state} (see `smokkelradar reenrich --status`)",
            ) from None
        yield
    finally:
        os.close(descriptor)


def pending_query(version: str, since: datetime | None, sources: Sequence[str]) -> dict[str, Any]:
    """Adverts in the window that the current keyword version has not tagged yet."""
    return {
        "bool": {
            "filter": window_filters(since, sources),
            "must_not": [{"term": {"keywords_version": version}}],
        }
    }


def _updates(alias: str, updates: Mapping[str, dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for doc_id, fields in updates.items():
        yield {"_op_type": "update", "_index": alias, "_id": doc_id, "doc": fields, "retry_on_conflict": 3}


def _write(client: Elasticsearch, alias: str, updates: Mapping[str, dict[str, Any]]) -> int:
    """Partial updates in bulk; returns how many adverts were gone (deleted meanwhile)."""
    from elasticsearch.helpers import streaming_bulk

    gone = 0
    failures: list[str] = []
    for ok, info in streaming_bulk(
        client, _updates(alias, updates), chunk_size=500, raise_on_error=False, max_retries=3,
        initial_backoff=0.5, max_backoff=10, require_alias=True,
    ):  # fmt: skip
        if ok:
            continue
        result = info.get("update", {})
        if result.get("status") == 404:
            gone += 1
        else:
            failures.append(f"{result.get('_id')}: {result.get('status')} {result.get('error')}")
    if failures:
        raise RadarError(
            Code.REENRICH_WRITE_FAILED,
            f"Elasticsearch refused {len(failures)} updates (the run stops and resumes later): "
            + "; ".join(failures[:3]),
        )
    return gone


class Reenricher:
    def __init__(self, config: Config, client: Elasticsearch, options: ReenrichOptions) -> None:
        self.config = config
        self.client = client
        self.options = options
        self.settings = IndexerSettings.from_config(config)
        self.alias = self.settings.names.alias
        from nlp import build_pipeline  # spaCy: loaded by a run, not by the web app importing this module

        files = keyword_files_of(config)
        self.version = keywords_version(files)
        self.nlp = build_pipeline(files)

    def count(self) -> int:
        query = pending_query(self.version, self.options.since, self.options.sources)
        return int(self.client.count(index=self.alias, query=query)["count"])

    def run(self, progress: Callable[[ReenrichReport], None] | None = None) -> ReenrichReport:
        state = self.config.radar.data.state
        ensure_adverts_index(self.client, self.settings.names)  # maps keywords_version on older indices
        since = self.options.since.astimezone(UTC).isoformat() if self.options.since else None
        with run_lock(state):
            checkpoints = Checkpoints(state / CHECKPOINT_FILE)
            try:
                return self._run(checkpoints, since, progress)
            finally:
                checkpoints.close()

    def _run(
        self, checkpoints: Checkpoints, since: str | None, progress: Callable[[ReenrichReport], None] | None
    ) -> ReenrichReport:
        sources = self.options.sources
        stopped = None if self.options.restart else checkpoints.unfinished(self.version, since, sources)
        if stopped is not None:
            run, resumed = checkpoints.resume(stopped, os.getpid()), True
        else:
            run, resumed = checkpoints.start(self.version, since, sources, os.getpid(), self.count()), False
        report = ReenrichReport(run, resumed)
        backfill = (
            Backfill(self.config, self.client, version=self.version, run_id=run.id)
            if self.options.backfill
            else None
        )
        clock = time.perf_counter()
        try:
            while self.options.max_pages is None or report.pages < self.options.max_pages:
                added = self._page(report.run, backfill)
                if added is None:
                    self.client.indices.refresh(index=self.alias)
                    report.run = checkpoints.finish(run.id, "done")
                    break
                cursor, counts = added
                report.run = checkpoints.advance(run.id, cursor, counts)
                report.pages += 1
                report.seconds = time.perf_counter() - clock
                if progress is not None:
                    progress(report)
            if backfill is not None and self.options.deliver:
                composed, delivery = backfill.deliver(datetime.now(UTC))
                report.mails_sent = delivery.sent
                if composed:  # the run's record counts the mails it wrote
                    report.run = checkpoints.advance(run.id, report.run.cursor or [], {"mails": composed})
        except BaseException as error:
            report.run = checkpoints.finish(run.id, "failed", f"{type(error).__name__}: {error}")
            raise
        finally:
            if backfill is not None:
                backfill.close()
        report.seconds = time.perf_counter() - clock
        log.info(
            "re-enrichment finished", extra={"run": run.id, **report.run.counts(), "state": report.run.state}
        )
        return report

    def _page(self, run: Run, backfill: Backfill | None) -> tuple[list[Any], dict[str, int]] | None:
        """One page read, re-enriched and written under the writer lock; None when nothing is left."""
        query = pending_query(self.version, self.options.since, self.options.sources)
        with writer_lock(self.settings.lock_path, "re-enrich adverts", wait_seconds=self.options.lock_wait):
            page = self.client.search(
                index=self.alias, query=query, sort=[{"advert_id": "asc"}], size=self.options.batch_size,
                search_after=run.cursor, source_includes=list(SOURCE_FIELDS), track_total_hits=False,
            )  # fmt: skip
            hits = page["hits"]["hits"]
            if not hits:
                return None
            from nlp import enrich_texts  # loaded with the pipeline already (see __init__)

            records = enrich_texts(
                self.nlp, ({"id": hit["_id"], "text": text_of(hit["_source"])} for hit in hits)
            )
            updates: dict[str, dict[str, Any]] = {}
            moved: list[str] = []
            for hit, record in zip(hits, records, strict=True):
                fields = enriched_fields(hit["_source"], record)
                if changed(hit["_source"], fields):
                    updates[hit["_id"]] = fields
                    moved.append(hit["_id"])
                else:
                    updates[hit["_id"]] = {"keywords_version": self.version}
            before = backfill.match(moved) if backfill is not None else set()
            gone = _write(self.client, self.alias, updates)
            backfilled = 0
            if backfill is not None and moved:
                self.client.indices.refresh(index=self.alias)
                newly = backfill.match(moved) - before
                clusters = {
                    hit["_id"]: str((hit["_source"].get("cluster") or {}).get("id") or hit["_id"])
                    for hit in hits
                }
                backfilled = backfill.record(newly, clusters, datetime.now(UTC))
        counts = {
            "seen": len(hits), "updated": len(moved), "unchanged": len(hits) - len(moved), "gone": gone,
            "backfilled": backfilled,
        }  # fmt: skip
        return hits[-1]["sort"], counts
