"""The scheduler on a short clock: jobs from the configuration, persisted, rescheduled on an edit,
kept on an invalid edit (with a mail to the analysts), paused when failing, stopped by SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from radar.cli import app
from radar.config.loader import load_config
from radar.runs import RunHistory
from radar.scheduler import RadarScheduler, Timing
from tests.integration.alerts.support import SOURCES, LocalMailServer, write_config
from tests.integration.alerts.world import SEARCHES

pytestmark = [
    pytest.mark.smtp,
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning"),
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Long clocks for the pipeline jobs (they need Elasticsearch), a short one for the config watch.
SHORT = Timing(
    drain_every=timedelta(hours=6), immediate_every=timedelta(hours=6), reload_every=timedelta(seconds=1)
)
NO_ES = "http://127.0.0.1:9"  # nothing listens there: a job that reaches for Elasticsearch fails at once


def wait_for(condition: Callable[[], Any], what: str, seconds: float = 60.0) -> Any:
    """Poll until ``condition()`` is truthy (a wait, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture
def radar_yaml(tmp_path: Path, mail_server: LocalMailServer) -> Path:
    return write_config(
        tmp_path / "config", es_url=NO_ES, prefix="sched", smtp_port=mail_server.port, searches=SEARCHES
    )


@pytest.fixture
def scheduler(radar_yaml: Path) -> Iterator[RadarScheduler]:
    running = RadarScheduler(radar_yaml, load_config(radar_yaml), SHORT)
    running.start()
    yield running
    running.stop()


def jobs_of(scheduler: RadarScheduler) -> dict[str, Any]:
    return {job.id: job for job in scheduler.scheduler.get_jobs(jobstore="default")}


def test_jobs_follow_the_configuration(scheduler: RadarScheduler) -> None:
    jobs = jobs_of(scheduler)
    assert set(jobs) == {
        "crawl:test-feed", "crawl:test-board", "alert:sea-daily",
        "index:drain", "alerts:immediate", "retention",
    }  # fmt: skip
    # No job of its own for the immediate search: the drain and alerts:immediate serve it.
    assert "alert:forged-passports" not in jobs
    assert jobs["crawl:test-feed"].trigger.interval == timedelta(hours=1)
    assert jobs["crawl:test-feed"].trigger.jitter == 30
    board = jobs["crawl:test-board"].next_run_time.astimezone(AMSTERDAM)
    assert (board.weekday(), board.hour, board.minute) == (0, 6, 15)  # crontab "15 6 * * 1" is Monday
    daily = jobs["alert:sea-daily"].next_run_time.astimezone(AMSTERDAM)
    assert (daily.hour, daily.minute) == (7, 30)
    for job in jobs.values():
        assert (job.max_instances, job.coalesce) == (1, True)


def test_a_config_edit_reschedules_jobs(scheduler: RadarScheduler, radar_yaml: Path) -> None:
    alerts = radar_yaml.parent / "alerts" / "searches.yaml"
    alerts.write_text(
        SEARCHES.replace("cadence: daily at 07:30", "cadence: weekly on friday at 16:00")
        + "  - name: new-hourly\n    filters: {document: visa}\n    cadence: hourly\n",
        encoding="utf-8",
    )
    disabled = SOURCES.replace("  - name: test-board\n", "  - name: test-board\n    enabled: false\n")
    (radar_yaml.parent / "sources" / "test.yaml").write_text(disabled, encoding="utf-8")

    jobs = wait_for(lambda: (j := jobs_of(scheduler)) and "alert:new-hourly" in j and j, "the reload")
    assert "crawl:test-board" not in jobs  # disabled source: its job is removed
    weekly = jobs["alert:sea-daily"].next_run_time.astimezone(AMSTERDAM)
    assert (weekly.weekday(), weekly.hour, weekly.minute) == (4, 16, 0)
    hourly = jobs["alert:new-hourly"].next_run_time.astimezone(AMSTERDAM)
    assert (hourly.minute, hourly.second) == (0, 0)


def test_an_invalid_edit_keeps_the_old_jobs_and_mails_the_analysts(
    scheduler: RadarScheduler, radar_yaml: Path, mail_server: LocalMailServer
) -> None:
    before = {job_id: job.name for job_id, job in jobs_of(scheduler).items()}
    alerts = radar_yaml.parent / "alerts" / "searches.yaml"
    alerts.write_text(SEARCHES.replace("cadence: daily at 07:30", "cadence: every morning"), encoding="utf-8")

    [mail] = wait_for(lambda: mail_server.received, "the maintenance mail")
    assert mail.recipients == ["analysts@test.invalid"]
    assert "invalid configuration" in (mail.header("Subject") or "")
    assert "searches.yaml:" in mail.text() and "cadence" in mail.text() and "[SR-E" in mail.text()
    assert {job_id: job.name for job_id, job in jobs_of(scheduler).items()} == before
    assert [i.key.split(":")[0] for i in scheduler.history.open_incidents()] == ["config-invalid"]

    # Checked again and again while it stays broken: still one mail per incident.
    reloads = len(scheduler.history.recent("config:reload", 50))
    wait_for(lambda: len(scheduler.history.recent("config:reload", 50)) >= reloads + 2, "more reload checks")
    assert len(mail_server.received) == 1

    alerts.write_text(
        SEARCHES.replace("cadence: daily at 07:30", "cadence: daily at 06:45"), encoding="utf-8"
    )
    wait_for(lambda: "06:45" in jobs_of(scheduler)["alert:sea-daily"].name, "the fixed configuration")
    assert scheduler.history.open_incidents() == []


def test_jobs_survive_a_restart(radar_yaml: Path) -> None:
    first = RadarScheduler(radar_yaml, load_config(radar_yaml), SHORT)
    added = first.start()
    stored = {job.id: job.next_run_time for job in first.scheduler.get_jobs(jobstore="default")}
    first.stop()
    second = RadarScheduler(radar_yaml, load_config(radar_yaml), SHORT)
    report = second.start()
    try:
        assert len(added.added) == 6 and report.added == report.changed == report.removed == []
        assert {job.id: job.next_run_time for job in second.scheduler.get_jobs(jobstore="default")} == stored
    finally:
        second.stop()


def test_a_failing_job_is_paused_and_reported_once(radar_yaml: Path, mail_server: LocalMailServer) -> None:
    # A crawl that can never finish in time: every run times out, whatever state the crawler is in.
    timing = Timing(
        drain_every=timedelta(hours=6), immediate_every=timedelta(hours=6), reload_every=timedelta(hours=6),
        crawl_timeout=timedelta(milliseconds=1),
    )  # fmt: skip
    scheduler = RadarScheduler(radar_yaml, load_config(radar_yaml), timing)
    scheduler.start()
    try:
        for attempt in range(1, 4):
            scheduler.scheduler.modify_job("crawl:test-feed", next_run_time=datetime.now(AMSTERDAM))
            wait_for(lambda: len(scheduler.history.recent("crawl:test-feed")) >= attempt, f"run {attempt}")  # noqa: B023
        runs = scheduler.history.recent("crawl:test-feed")
        assert [run.outcome for run in runs] == ["timeout"] * 3
        wait_for(lambda: jobs_of(scheduler)["crawl:test-feed"].next_run_time is None, "the pause")
        [mail] = wait_for(lambda: mail_server.received, "the maintenance mail")
        assert "job crawl:test-feed paused" in (mail.header("Subject") or "")
        assert "crawl:test-feed" in scheduler.history.paused()
        assert scheduler.scheduler.running  # never fatal: the other jobs go on
        assert jobs_of(scheduler)["crawl:test-board"].next_run_time is not None
    finally:
        scheduler.stop()

    status = CliRunner().invoke(app, ["status", "-c", str(radar_yaml)])
    assert status.exit_code == 0, status.output
    assert "crawl:test-feed" in status.output and "PAUSED" in status.output and "timeout" in status.output
    assert "incident job-failing:crawl:test-feed" in status.output


def test_serve_stops_gracefully_on_sigterm(radar_yaml: Path, tmp_path: Path) -> None:
    with (tmp_path / "serve.log").open("wb") as log:
        serve = subprocess.Popen(
            [sys.executable, "-m", "radar", "serve", "-c", str(radar_yaml)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        state = load_config(radar_yaml).radar.data.state
        wait_for(lambda: (state / "scheduler.sqlite").exists() and _running(radar_yaml), "serve to start")
        second = CliRunner().invoke(app, ["serve", "-c", str(radar_yaml)])
        assert second.exit_code != 0  # one scheduler per state folder
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) == 0
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
    status = CliRunner().invoke(app, ["status", "-c", str(radar_yaml)])
    assert "scheduler: not running" in status.output
    assert "crawl:test-feed" in status.output and "alert:sea-daily" in status.output


def _running(radar_yaml: Path) -> bool:
    status = CliRunner().invoke(app, ["status", "-c", str(radar_yaml)])
    return "scheduler: running" in status.output


def test_run_history_is_kept_thirty_days(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "runs.sqlite")
    with history.record("index:drain") as record:
        record.counts = {"indexed": 3}
    assert history.prune(now=datetime.now(AMSTERDAM) + timedelta(days=29)) == 0
    assert history.prune(now=datetime.now(AMSTERDAM) + timedelta(days=31)) == 1
    assert history.recent("index:drain") == []
