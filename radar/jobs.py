"""The functions the scheduler runs, importable by reference (``radar.jobs:crawl``).

APScheduler's persistent job store keeps a job as the dotted path of its function plus its
arguments, so every job function lives here (never in ``__main__``, which a restart would
silently drop) and takes only plain arguments: the path of radar.yaml and a name. Each run is
recorded in the run history with its outcome, duration and counts; an exception marks it
failed and reaches the scheduler, which pauses a job that keeps failing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from radar import health
from radar.config.loaded import Config
from radar.logs import get_logger
from radar.runs import RunHistory, RunRecord

if TYPE_CHECKING:
    from alerts.service import AlertService

log = get_logger("scheduler.jobs")

CRAWL_TIMEOUT_S = 1800.0
RUNS_FILE = "runs.sqlite"
# Where the crawler may write its run report (JSON: {"adverts new": n, "selector misses": n, ...}).
CRAWL_REPORT_VARIABLE = "SMOKKELRADAR_CRAWL_REPORT"
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class JobFailedError(Exception):
    """A job did not do its work; the message says why (it is shown by ``smokkelradar status``)."""


@dataclass
class _Process:
    """What this process knows: the configuration in force and the services built from it."""

    radar_yaml: Path
    config: Config
    history: RunHistory
    alerts: AlertService | None = None


_lock = threading.RLock()
_current: _Process | None = None
_children: dict[int, subprocess.Popen[bytes]] = {}


def configure(radar_yaml: Path, config: Config) -> RunHistory:
    """Put ``config`` in force for every job of this process (at start and after a valid reload)."""
    global _current
    with _lock:
        previous = _current
        path = config.radar.data.state / RUNS_FILE
        history = previous.history if previous and previous.history.path == path else RunHistory(path)
        # The previous alert service is not closed here: a job in another thread may still be using
        # it. It is dropped, and its connections close when that job lets go of it.
        _current = _Process(radar_yaml, config, history)
        return history


def _process(radar_yaml: str) -> _Process:
    with _lock:
        if _current is None or str(_current.radar_yaml) != radar_yaml:
            from radar.config.loader import load_config

            configure(Path(radar_yaml), load_config(Path(radar_yaml)))
        if _current is None:  # pragma: no cover - configure() always sets it
            raise JobFailedError("no configuration in force")
        return _current


def _alerts(process: _Process) -> AlertService:
    with _lock:
        if process.alerts is None:
            from alerts.service import open_service

            process.alerts = open_service(process.config)
            process.alerts.sync_searches()
        return process.alerts


@contextmanager
def _recorded(radar_yaml: str, job_id: str) -> Iterator[tuple[_Process, RunRecord]]:
    process = _process(radar_yaml)
    with process.history.record(job_id) as record:
        yield process, record


def notifier(config: Config) -> health.Notify:
    """Mail (subject, text) to the analysts' address."""

    def notify(subject: str, text: str) -> None:
        from alerts.maintenance import send_maintenance
        from alerts.service import smtp_settings

        send_maintenance(smtp_settings(config), [config.radar.analysts_mailbox], subject, text)

    return notify


# ---------------------------------------------------------------------- crawls


def crawl(radar_yaml: str, source: str, timeout_s: float = CRAWL_TIMEOUT_S) -> dict[str, int]:
    """Crawl one source in a child process (Scrapy's reactor cannot restart in this one)."""
    with _recorded(radar_yaml, f"crawl:{source}") as (process, record):
        config = process.config
        if source not in config.sources:
            raise JobFailedError(f"source {source!r} is no longer configured")
        state = config.radar.data.state
        report_file = state / "crawl-reports" / f"{source}.json"
        log_file = state / "crawl-logs" / f"{source}.log"
        report_file.parent.mkdir(parents=True, exist_ok=True)
        log_file.parent.mkdir(parents=True, exist_ok=True)
        report_file.unlink(missing_ok=True)
        argv = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            config.sources[source].kind,
            "-a",
            f"source={source}",
        ]
        env = dict(
            os.environ,
            SMOKKELRADAR_CONFIG=str(process.radar_yaml),
            **{CRAWL_REPORT_VARIABLE: str(report_file)},
        )
        env.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
        record.keywords_version = _keywords_version(config)
        returncode = _run_child(argv, env, log_file, timeout_s, record)
        record.counts = _crawl_counts(report_file, log_file)
        record.counts["exit code"] = returncode
        if returncode != 0:
            record.outcome = "failed" if record.outcome == "ok" else record.outcome
            raise JobFailedError(
                f"scrapy crawl {source} exited with {returncode}; its log ends:\n{_tail(log_file)}"
            )
    health.check_source(process.history, notifier(config), source)
    return record.counts


def _keywords_version(config: Config) -> str:
    """The content hash of the keywords the crawl's enrichment reads (shown by ``smokkelradar status``)."""
    from nlp.version import keywords_version
    from nlp.vocabulary import keyword_files_of

    return keywords_version(keyword_files_of(config))


def _run_child(
    argv: list[str], env: dict[str, str], log_file: Path, timeout_s: float, record: RunRecord
) -> int:
    with log_file.open("wb") as output:
        child = subprocess.Popen(
            argv,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: a timeout stops the crawl and its browsers
        )
        with _lock:
            _children[child.pid] = child
        try:
            return child.wait(timeout_s)
        except subprocess.TimeoutExpired:
            record.outcome = "timeout"
            _stop(child)
            raise JobFailedError(f"crawl took longer than {timeout_s:.0f} s and was stopped") from None
        finally:
            with _lock:
                _children.pop(child.pid, None)


def _stop(child: subprocess.Popen[bytes], grace_s: float = 20.0) -> None:
    """SIGTERM the child's process group (Scrapy closes down cleanly), SIGKILL after ``grace_s``."""
    try:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    except ProcessLookupError:
        child.wait()


def terminate_children() -> None:
    """Stop every running crawl (graceful shutdown of the scheduler)."""
    with _lock:
        children = list(_children.values())
    for child in children:
        _stop(child)


def _crawl_counts(report_file: Path, log_file: Path) -> dict[str, int]:
    """Counts from the crawler's report file, else from Scrapy's closing stats in the log."""
    try:
        data = json.loads(report_file.read_text())
    except (FileNotFoundError, ValueError):
        data = None
    if isinstance(data, dict):
        return {str(key): int(value) for key, value in data.items() if isinstance(value, int | float)}
    counts: dict[str, int] = {}
    for line in _tail(log_file, 200).splitlines():
        # Scrapy's stats dump: " 'item_scraped_count': 12,"
        if "'item_scraped_count':" in line:
            digits = "".join(ch for ch in line.split(":", 1)[1] if ch.isdigit())
            counts["adverts new"] = int(digits or 0)
    return counts


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


# ---------------------------------------------------------------------- indexing and alerts


def drain(radar_yaml: str) -> dict[str, int]:
    """Index what waits in the spool, then match the new adverts and mail the immediate alerts."""
    from indexer.stage import run_index_stage

    with _recorded(radar_yaml, "index:drain") as (process, record):
        record.counts = dict(run_index_stage(process.radar_yaml))
    if record.counts.get("indexed", 0):
        # Its own run record: a matching failure is not an indexing failure (and must not pause the drain).
        try:
            alerts_immediate(radar_yaml)
        except Exception:
            log.exception("matching after the drain failed; the alerts job will catch up")
    return record.counts


def alerts_immediate(radar_yaml: str) -> dict[str, int]:
    """Match new adverts, mail the immediate saved searches, send every due mail (retries too)."""
    with _recorded(radar_yaml, "alerts:immediate") as (process, record):
        counts = _alerts(process).run_immediate()
        record.counts = counts.as_dict()
        if counts.delivery.errors:
            record.error = counts.delivery.errors[-1]
    return record.counts


def alert(radar_yaml: str, search: str) -> dict[str, int]:
    """A saved search's cadence came round: mail its queued matches."""
    with _recorded(radar_yaml, f"alert:{search}") as (process, record):
        counts = _alerts(process).run_cadence(search)
        record.counts = counts.as_dict()
        if counts.delivery.errors:
            record.error = counts.delivery.errors[-1]
    return record.counts


def retention(radar_yaml: str) -> dict[str, int]:
    """Delete expired adverts (the indexer's retention) and run history older than 30 days."""
    from indexer.client import make_client
    from indexer.locks import writer_lock
    from indexer.retention import apply_retention
    from indexer.settings import IndexerSettings

    with _recorded(radar_yaml, "retention") as (process, record):
        record.counts = {"run records deleted": process.history.prune()}
        settings = IndexerSettings.from_config(process.config)
        client = make_client(process.config.radar.elasticsearch)
        try:
            with writer_lock(settings.lock_path, "apply retention", wait_seconds=600):
                report = apply_retention(client, settings)
        finally:
            client.close()
        record.counts.update(
            {"adverts deleted": report.total_deleted, "evidence deleted": report.evidence_deleted}
        )
        if report.failed:
            record.error = f"{report.failed} deletion(s) not confirmed; tried again on the next run"
    return record.counts
