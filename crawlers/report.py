"""The per-run report of one source: pages fetched, adverts new / already seen / dropped (with
the reason), errors by kind, selector drift and notes such as a channel without a public preview.

Spiders and components count into Scrapy's stats under ``report/...`` (the stats are every
component's observability contract); spiders add details they alone know to ``RunNotes``.
When the spider closes, ``RunReportExtension`` assembles the report and writes it to the run
log (one summary line, one warning per drifting selector or note), back into the stats, to
``REPORT_FILE`` when set (the parent ``smokkelradar crawl`` reads it) and to
``data.state/crawl/runs/<source>/<time>.json``. The scheduler (``radar.jobs``) names a file in
``SMOKKELRADAR_CRAWL_REPORT`` (or ``REPORT_COUNTS_FILE``) for flat counts such as
``{"adverts new": 3, "selector misses": 0}``; those are written there too.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as twisted_errors
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from crawlers.extract import DriftTracker
from radar.logs import get_logger

log = get_logger("crawlers.report")
PREFIX = "report/"
# Adverts that passed every pipeline (stored): Scrapy's CoreStats counts them on its
# item_scraped signal. A handler of our own there would cost an asyncio task per advert
# (Scrapy runs each receiver of that signal as a task), so the report takes CoreStats' count.
SCRAPED = "item_scraped_count"
# Responses (CoreStats, on Scrapy's response_received signal) and robots.txt files among them
# (RobotsTxtMiddleware, once per robots.txt answered): pages fetched are the difference.
RESPONSES = "response_received_count"
ROBOTS_RESPONSES = "robotstxt/response_count"
COUNTS_VARIABLE = "SMOKKELRADAR_CRAWL_REPORT"


@dataclass
class RunNotes:
    """What only the spider knows: selector drift and notes worth an operator's attention."""

    drift: DriftTracker = field(default_factory=DriftTracker)
    notes: list[dict[str, str]] = field(default_factory=list)

    def note(self, kind: str, message: str, **details: str) -> None:
        self.notes.append({"kind": kind, "message": message, **details})


def classify_failure(failure: Failure) -> str:
    """A short, stable name for why a request failed, for 'errors by kind'."""
    from crawlers.middlewares.conditional import NotModified
    from crawlers.middlewares.ssrf import SsrfBlocked

    value = failure.value
    if isinstance(value, HttpError):
        return f"http_{value.response.status}"
    if isinstance(value, SsrfBlocked):
        return "ssrf_blocked"
    if isinstance(value, NotModified):
        return "not_modified"
    if isinstance(value, IgnoreRequest):
        return "robots_forbidden" if "robots.txt" in str(value) else "ignored"
    kinds: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
        ((DownloadTimeoutError, twisted_errors.TimeoutError, twisted_errors.TCPTimedOutError), "timeout"),
        ((CannotResolveHostError, twisted_errors.DNSLookupError), "dns"),
        ((DownloadConnectionRefusedError, twisted_errors.ConnectionRefusedError), "connection_refused"),
        (DownloadCancelledError, "too_large"),
        (ResponseDataLossError, "data_loss"),
        (UnsupportedURLSchemeError, "unsupported_scheme"),
        ((DownloadFailedError, twisted_errors.ConnectionLost, twisted_errors.ConnectError), "connection"),
    )
    for types, name in kinds:
        if isinstance(value, types):
            return name
    return type(value).__name__


def count(stats: Any, key: str, amount: int = 1) -> None:
    stats.inc_value(PREFIX + key, amount)


class RunReportExtension:
    """Builds the run report when the spider closes (see the module docstring)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.report_file = crawler.settings.get("REPORT_FILE")
        self.counts_file = crawler.settings.get("REPORT_COUNTS_FILE") or os.environ.get(COUNTS_VARIABLE)
        self.progress_file = crawler.settings.get("REPORT_PROGRESS_FILE")
        self.progress_interval = crawler.settings.getfloat("REPORT_PROGRESS_INTERVAL", 1.0)
        self.started_at = datetime.now(UTC)
        self._progress: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunReportExtension:
        extension = cls(crawler)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.spider_error, signal=signals.spider_error)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    # -- counting ----------------------------------------------------------------------------

    def pages_fetched(self, stats: dict[str, Any]) -> int:
        """Responses received but robots.txt files: from Scrapy's own counts (a receiver of our own
        for every response would cost a signal dispatch per page)."""
        return int(stats.get(RESPONSES, 0)) - int(stats.get(ROBOTS_RESPONSES, 0))

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        reason = str(exception).split(":", 1)[0].strip() or type(exception).__name__
        count(self.stats, f"dropped/{reason}")

    def spider_error(self, failure: Failure, response: Any) -> None:
        count(self.stats, f"errors/parse_{type(failure.value).__name__}")
        log.error(
            "a page could not be parsed",
            extra={"url": getattr(response, "url", ""), "error": repr(failure.value)},
        )

    def spider_opened(self) -> None:
        if self.progress_file:
            self._progress = LoopingCall(self._write_progress)
            self._progress.start(self.progress_interval, now=True)

    def _write_progress(self) -> None:
        stats = self.stats.get_stats()
        progress = {
            "pages": self.pages_fetched(stats),
            "new": stats.get(SCRAPED, 0),
            "seen": stats.get(PREFIX + "adverts_seen", 0),
            "errors": sum(v for k, v in stats.items() if k.startswith(PREFIX + "errors/")),
            "enriched": stats.get(PREFIX + "enriched", 0),
            # CPU seconds of this process and of the enrichment worker (since its pipeline was
            # built) at this moment: what the throughput benchmark divides by pages and adverts.
            "cpu_seconds": round(time.process_time(), 4),
            "worker_cpu_seconds": round(stats.get("enrich/worker_cpu_seconds", 0.0), 4),
            # ... of which writing spool batches (the rest: enrichment and the pipe).
            "worker_store_cpu_seconds": round(stats.get("enrich/worker_store_cpu_seconds", 0.0), 4),
        }
        _write_json(Path(self.progress_file), progress)

    # -- the report ----------------------------------------------------------------------------

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._progress is not None and self._progress.running:
            self._progress.stop()
        self.stats.set_value(PREFIX + "adverts_new", self.stats.get_value(SCRAPED, 0))
        stats = self.stats.get_stats()
        self.stats.set_value(PREFIX + "pages_fetched", self.pages_fetched(stats))
        self.stats.set_value(PREFIX + "robots_fetched", int(stats.get(ROBOTS_RESPONSES, 0)))
        report = self.build(spider, reason)
        self._log(report)
        self.stats.set_value(PREFIX + "drift_warnings", len(report["drift"]))
        self.stats.set_value(PREFIX + "notes", len(report["notes"]))
        if self.report_file:
            _write_json(Path(self.report_file), report)
        if self.counts_file:
            _write_json(Path(self.counts_file), flat_counts(report))
        context = getattr(spider, "context", None)
        if context is not None and not getattr(spider, "check_only", False):
            stamp = self.started_at.strftime("%Y%m%dT%H%M%SZ")
            _write_json(context.state_dir / "crawl" / "runs" / context.source.name / f"{stamp}.json", report)
        if self.progress_file:
            self._write_progress()

    def build(self, spider: Any, reason: str) -> dict[str, Any]:
        stats = self.stats.get_stats()

        def under(prefix: str) -> dict[str, int]:
            full = PREFIX + prefix
            return {k[len(full) :]: int(v) for k, v in sorted(stats.items()) if k.startswith(full)}

        notes: RunNotes = getattr(spider, "notes", RunNotes())
        context = getattr(spider, "context", None)
        source = context.source if context is not None else None
        return {
            "source": source.name if source else spider.name,
            "kind": source.kind if source else spider.name,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(datetime.now(UTC)),
            "finish_reason": reason,
            # From the spider's opening (pipelines built) to its end: the crawl itself.
            "elapsed_seconds": _elapsed(stats.get("start_time")),
            "check_only": bool(getattr(spider, "check_only", False)),
            "pages_fetched": int(stats.get(PREFIX + "pages_fetched", 0)),
            "not_modified": int(stats.get(PREFIX + "not_modified", 0)),
            "adverts": {
                "new": int(stats.get(PREFIX + "adverts_new", 0)),
                "already_seen": int(stats.get(PREFIX + "adverts_seen", 0)),
                "dropped": under("dropped/"),
            },
            "enriched": int(stats.get(PREFIX + "enriched", 0)),
            "evidence_files": int(stats.get(PREFIX + "evidence_files", 0)),
            "errors": under("errors/"),
            "drift": notes.drift.warnings(),
            "selectors": notes.drift.summary(),
            "notes": list(notes.notes),
            "robots": {
                "obey": bool(source.robots.obey) if source else True,
                "reason": source.robots.reason if source else None,
            },
        }

    def _log(self, report: dict[str, Any]) -> None:
        adverts = report["adverts"]
        log.info(
            "crawl report: %s pages, %s new, %s already seen, %s dropped, %s errors",
            report["pages_fetched"],
            adverts["new"],
            adverts["already_seen"],
            sum(adverts["dropped"].values()),
            sum(report["errors"].values()),
            extra={"source": report["source"], "report": json.dumps(report, ensure_ascii=False)},
        )
        for drift in report["drift"]:
            log.warning(
                "selector drift: source %s, selector %s (%s) matched nothing on %s of %s pages, e.g. %s",
                report["source"],
                drift["selector"],
                drift["query"],
                drift["missed_pages"],
                drift["pages"],
                ", ".join(drift["urls"]),
                extra={"source": report["source"], "selector": drift["selector"]},
            )
        for note in report["notes"]:
            log.warning("%s: %s", report["source"], note["message"], extra={"source": report["source"]})


def flat_counts(report: dict[str, Any]) -> dict[str, int]:
    """The report as the scheduler's run history keeps it: names to numbers."""
    adverts = report["adverts"]
    return {
        "pages fetched": report["pages_fetched"],
        "not modified": report["not_modified"],
        "adverts new": adverts["new"],
        "adverts seen": adverts["already_seen"],
        "adverts dropped": sum(adverts["dropped"].values()),
        "enriched": report["enriched"],
        "errors": sum(report["errors"].values()),
        "selector misses": sum(int(drift["missed_pages"]) for drift in report["drift"]),
        "notes": len(report["notes"]),
    }


def _elapsed(start: Any) -> float:
    return round((datetime.now(UTC) - start).total_seconds(), 3) if isinstance(start, datetime) else 0.0


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(path)
