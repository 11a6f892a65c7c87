"""``smokkelradar serve``'s scheduler: APScheduler 3 with a persistent job store, driven by the config.

Jobs (stable ids, ``max_instances=1``, missed runs coalesced into one):

* ``crawl:<source>``   per enabled source, on its ``every`` or ``cron`` with its jitter;
* ``index:drain``      the spool into Elasticsearch, then matching and immediate alerts;
* ``alerts:immediate`` matching, immediate alerts and mail retries (catches up after failures);
* ``alert:<search>``   per saved search with an hourly, daily or weekly cadence;
* ``retention``        daily: expired adverts and old run history;
* ``config:reload``    (in memory) watches config/ and adds, changes and removes the jobs above.

The jobs live in a SQLAlchemy job store on SQLite under the state folder, so they survive a
restart; their functions are in :mod:`radar.jobs`. A job that fails ``PAUSE_AFTER`` times in a
row is paused, reported to the analysts, and resumed after ``RESUME_AFTER`` or when its
configuration changes; no job failure stops the scheduler.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from radar import health, jobs
from radar.config.alerts import SavedSearch
from radar.config.loaded import Config
from radar.config.loader import load_config_problems
from radar.config.problems import ConfigProblem
from radar.config.sources import Source
from radar.config_watch import ConfigWatch
from radar.logs import get_logger

log = get_logger("scheduler")

JOBS_FILE = "scheduler.sqlite"
PAUSE_AFTER = 3
RESUME_AFTER = timedelta(hours=1)
RELOAD_JOB = "config:reload"


@dataclass(frozen=True)
class Timing:
    """The scheduler's own clocks (tests shorten them)."""

    drain_every: timedelta = timedelta(seconds=10)
    immediate_every: timedelta = timedelta(seconds=30)
    reload_every: timedelta = timedelta(seconds=10)
    retention_at: str = "03:30"
    crawl_timeout: timedelta = timedelta(seconds=jobs.CRAWL_TIMEOUT_S)


@dataclass(frozen=True)
class JobSpec:
    """A job as the configuration wants it. ``name`` spells out every schedule parameter, so a
    change of schedule is a change of name and the job is replaced."""

    id: str
    func: str
    args: tuple[Any, ...]
    trigger: Any
    name: str


@dataclass
class Reconciled:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


_CRON_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def crontab_trigger(expression: str, timezone: ZoneInfo, jitter: int | None) -> CronTrigger:
    """A CronTrigger read as crontab reads it. APScheduler 3 numbers weekdays from Monday = 0,
    crontab from Sunday = 0; weekday numbers are turned into names so ``1`` stays Monday."""
    minute, hour, day, month, weekday = expression.split()
    weekday = re.sub(r"(?<![/\d])([0-7])(?!\d)", lambda m: _CRON_WEEKDAYS[int(m[1]) % 7], weekday)
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, timezone=timezone, jitter=jitter
    )


def _seconds(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()))


def _crawl_spec(radar_yaml: str, source: Source, timezone: ZoneInfo, timing: Timing) -> JobSpec:
    schedule = source.schedule
    jitter = _seconds(schedule.jitter) or None
    timeout = timing.crawl_timeout.total_seconds()
    if schedule.cron is not None:
        trigger: Any = crontab_trigger(schedule.cron, timezone, jitter)
        when = f"cron '{schedule.cron}'"
    else:
        every = schedule.every or timedelta(hours=1)
        trigger = IntervalTrigger(seconds=_seconds(every), jitter=jitter, timezone=timezone)
        when = f"every {every}"
    return JobSpec(
        f"crawl:{source.name}",
        "radar.jobs:crawl",
        (radar_yaml, source.name, timeout),
        trigger,
        f"crawl {source.name} ({source.kind}), {when}, jitter {jitter or 0}s, timeout {timeout:.0f}s",
    )


def _alert_spec(radar_yaml: str, search: SavedSearch, timezone: ZoneInfo) -> JobSpec | None:
    cadence = search.cadence
    if cadence.kind == "immediate":
        return None  # served by index:drain and alerts:immediate
    if cadence.kind == "hourly":
        trigger: Any = CronTrigger(minute=0, timezone=timezone)
    else:
        at = cadence.at
        hour, minute = (at.hour, at.minute) if at is not None else (8, 0)
        weekday = _CRON_WEEKDAYS[((cadence.weekday or 0) + 1) % 7] if cadence.kind == "weekly" else "*"
        trigger = CronTrigger(day_of_week=weekday, hour=hour, minute=minute, timezone=timezone)
    return JobSpec(
        f"alert:{search.name}",
        "radar.jobs:alert",
        (radar_yaml, search.name),
        trigger,
        f"alert {search.name}, {cadence} {timezone.key}",
    )


def desired_jobs(radar_yaml: Path, config: Config, timing: Timing = Timing()) -> dict[str, JobSpec]:
    """Every persistent job the configuration asks for, by id."""
    path = str(radar_yaml)
    timezone = ZoneInfo(config.radar.timezone)
    specs = [_crawl_spec(path, source, timezone, timing) for source in config.enabled_sources()]
    specs += [spec for s in config.enabled_alerts() if (spec := _alert_spec(path, s, timezone)) is not None]
    drain_s, immediate_s = _seconds(timing.drain_every), _seconds(timing.immediate_every)
    hour, minute = (int(part) for part in timing.retention_at.split(":"))
    specs += [
        JobSpec(
            "index:drain",
            "radar.jobs:drain",
            (path,),
            IntervalTrigger(seconds=drain_s, timezone=timezone),
            f"index drain every {drain_s}s",
        ),
        JobSpec(
            "alerts:immediate",
            "radar.jobs:alerts_immediate",
            (path,),
            IntervalTrigger(seconds=immediate_s, timezone=timezone),
            f"immediate alerts every {immediate_s}s",
        ),
        JobSpec(
            "retention",
            "radar.jobs:retention",
            (path,),
            CronTrigger(hour=hour, minute=minute, timezone=timezone),
            f"retention daily at {timing.retention_at}",
        ),
    ]
    return {spec.id: spec for spec in specs}


class RadarScheduler:
    """The scheduler of one radar.yaml. ``start`` runs it in background threads; ``stop`` ends it."""

    def __init__(self, radar_yaml: Path, config: Config, timing: Timing = Timing()) -> None:
        self.radar_yaml = radar_yaml
        self.config = config
        self.timing = timing
        state = config.radar.data.state
        state.mkdir(parents=True, exist_ok=True)
        self.history = jobs.configure(radar_yaml, config)
        self.watch = ConfigWatch(radar_yaml, config)
        self.scheduler = BackgroundScheduler(
            jobstores={
                "default": SQLAlchemyJobStore(url=f"sqlite:///{state / JOBS_FILE}"),
                # The reload job is a bound method of this object: it cannot be persisted, nor should it.
                "internal": MemoryJobStore(),
            },
            executors={"default": ThreadPoolExecutor(max_workers=4)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone=ZoneInfo(config.radar.timezone),
        )

    # ------------------------------------------------------------------ life cycle

    def start(self) -> Reconciled:
        interrupted = self.history.mark_interrupted()
        if interrupted:
            log.warning("runs interrupted by the previous stop", extra={"runs": interrupted})
        self.scheduler.add_listener(self._on_job_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        # Paused: load the stored jobs and reconcile them before anything runs.
        self.scheduler.start(paused=True)
        report = self.apply(self.config)
        self.scheduler.add_job(
            self.check_config,
            "interval",
            seconds=max(1, _seconds(self.timing.reload_every)),
            id=RELOAD_JOB,
            name="watch config/ and reload",
            jobstore="internal",
            replace_existing=True,
        )
        self.scheduler.resume()
        log.info("scheduler started", extra={"jobs": len(self.scheduler.get_jobs())})
        return report

    def stop(self) -> None:
        """Graceful: start nothing new, stop running crawls, let running jobs finish, close the stores."""
        if self.scheduler.running:
            self.scheduler.pause()
        jobs.terminate_children()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        log.info("scheduler stopped")

    # ------------------------------------------------------------------ jobs from the configuration

    def apply(self, config: Config) -> Reconciled:
        """Make the stored jobs what ``config`` asks for: add, replace changed, remove unwanted."""
        wanted = desired_jobs(self.radar_yaml, config, self.timing)
        report = Reconciled()
        existing = {job.id: job for job in self.scheduler.get_jobs(jobstore="default")}
        for job_id in existing:
            if job_id not in wanted:
                self.scheduler.remove_job(job_id, jobstore="default")
                self.history.clear_paused(job_id)
                report.removed.append(job_id)
        for job_id, spec in wanted.items():
            job = existing.get(job_id)
            if job is not None and (job.func_ref, tuple(job.args), job.name) == (
                spec.func,
                spec.args,
                spec.name,
            ):
                continue
            self.scheduler.add_job(
                spec.func,
                spec.trigger,
                args=list(spec.args),
                id=spec.id,
                name=spec.name,
                jobstore="default",
                replace_existing=True,
            )
            self.history.clear_paused(job_id)  # a changed job starts afresh
            (report.changed if job is not None else report.added).append(job_id)
        self.config = config
        if report.added or report.changed or report.removed:
            log.info("jobs reconciled", extra={k: ", ".join(v) for k, v in vars(report).items() if v})
        return report

    def check_config(self) -> Reconciled | None:
        """The reload job: on a change, reload; keep the old jobs and tell the analysts when invalid."""
        with self.history.record(RELOAD_JOB) as record:
            self._resume_cooled_down()
            new = self.watch.changed()
            if new is None:
                return None
            config, problems = load_config_problems(self.radar_yaml)
            if config is None:
                self._report_invalid(problems, new)
                self.watch.accept(None, new)
                record.counts = {"problems": len(problems)}
                record.error = f"invalid configuration, old jobs kept: {problems[0] if problems else '?'}"
                return None
            for incident in self.history.open_incidents():
                if incident.key.startswith("config-invalid:"):
                    health.clear_incident(self.history, incident.key)
            jobs.configure(self.radar_yaml, config)
            report = self.apply(config)
            self.watch.accept(config, new)
            record.counts = {
                "added": len(report.added),
                "changed": len(report.changed),
                "removed": len(report.removed),
            }
            return report

    def _report_invalid(self, problems: list[ConfigProblem], fingerprint: str) -> None:
        lines = "\n".join(f"  {problem}  [{problem.code.value}]" for problem in problems)
        text = (
            f"An edit of the configuration ({self.radar_yaml}) does not validate, so smokkelradar keeps "
            f"running with the configuration it had. Fix these {len(problems)} problem(s):\n\n{lines}\n\n"
            f"Check a fix with: smokkelradar config check {self.radar_yaml}"
        )
        log.error("invalid configuration; old jobs kept", extra={"problems": len(problems)})
        health.raise_incident(
            self.history,
            jobs.notifier(self.config),
            f"config-invalid:{fingerprint[:16]}",
            "invalid configuration, old jobs kept",
            text,
        )

    # ------------------------------------------------------------------ failing jobs

    def _on_job_event(self, event: JobExecutionEvent) -> None:
        if event.jobstore != "default":
            return
        try:
            if event.exception is None:
                health.clear_incident(self.history, f"job-failing:{event.job_id}")
                return
            failures = self.history.consecutive_failures(event.job_id)
            log.warning(
                "job failed",
                extra={"job": event.job_id, "failures": failures, "reason": str(event.exception)},
            )
            if failures >= PAUSE_AFTER:
                self._pause(event.job_id, failures, str(event.exception))
        except Exception:  # a listener must never take the scheduler down
            log.exception("could not handle a job event", extra={"job": event.job_id})

    def _pause(self, job_id: str, failures: int, reason: str) -> None:
        self.scheduler.pause_job(job_id, jobstore="default")
        self.history.set_paused(job_id, f"{failures} failures in a row: {reason}")
        resume = (datetime.now().astimezone() + RESUME_AFTER).strftime("%H:%M")
        health.raise_incident(
            self.history,
            jobs.notifier(self.config),
            f"job-failing:{job_id}",
            f"job {job_id} paused",
            f"Job {job_id} failed {failures} times in a row and is paused until about {resume} "
            f"(or until its configuration changes). Last error:\n\n{reason}\n\n"
            "`smokkelradar status` shows its runs.",
        )

    def _resume_cooled_down(self) -> None:
        paused: Mapping[str, tuple[datetime, str]] = self.history.paused()
        now = datetime.now().astimezone()
        for job_id, (since, _) in paused.items():
            if now - since >= RESUME_AFTER and self.scheduler.get_job(job_id, jobstore="default") is not None:
                self.scheduler.resume_job(job_id, jobstore="default")
                self.history.clear_paused(job_id)
                log.info("paused job resumed", extra={"job": job_id})
