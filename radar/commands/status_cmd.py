"""``smokkelradar status``: every scheduled job with its next run, last run, outcome, duration and counts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer

from radar.commands.options import ConfigOption


def _local(moment: datetime | None, timezone: str) -> str:
    return "-" if moment is None else moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M:%S")


def stored_jobs(state_dir: Path) -> list[Any]:
    """The jobs in the scheduler's store, read without starting a scheduler."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    from radar.scheduler import JOBS_FILE

    path = state_dir / JOBS_FILE
    if not path.exists():
        return []
    store = SQLAlchemyJobStore(url=f"sqlite:///{path}")
    store.start(BackgroundScheduler(), "default")
    try:
        return list(store.get_all_jobs())
    finally:
        store.shutdown()


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status(config: ConfigOption = Path("config/radar.yaml")) -> None:
        """Show every job (next run, last run, outcome, duration, counts), open incidents and queued mail."""
        from radar.commands.serve_cmd import scheduler_running
        from radar.config.loader import load_config
        from radar.jobs import RUNS_FILE
        from radar.runs import RunHistory

        loaded = load_config(config)
        state = loaded.radar.data.state
        timezone = loaded.radar.timezone
        pid = scheduler_running(state)
        typer.echo(
            f"scheduler: {'running (pid ' + str(pid) + ')' if pid else 'not running'}; state in {state}"
        )
        history = RunHistory(state / RUNS_FILE)
        try:
            last = history.last_runs()
            paused = history.paused()
            jobs = stored_jobs(state)
            ids = [job.id for job in jobs] + sorted(set(last) - {job.id for job in jobs})
            by_id = {job.id: job for job in jobs}
            typer.echo(f"{'JOB':<32} {'NEXT RUN':<19}  {'LAST RUN':<19}  {'OUTCOME':<11} {'TIME':>7}  COUNTS")
            for job_id in ids:
                job = by_id.get(job_id)
                run = last.get(job_id)
                if job is None:
                    upcoming = "(not scheduled)"
                elif job.next_run_time is None:
                    upcoming = "PAUSED"
                else:
                    upcoming = _local(job.next_run_time, timezone)
                started = _local(run.started_at, timezone) if run else "never"
                outcome = run.outcome if run else "-"
                seconds = f"{run.seconds:.1f}s" if run and run.seconds is not None else "-"
                counts = ", ".join(f"{k}: {v}" for k, v in run.counts.items()) if run else ""
                if run and run.keywords_version:  # the keyword configuration that tagged the crawl's adverts
                    counts = (
                        f"{counts}, keywords {run.keywords_version}"
                        if counts
                        else f"keywords {run.keywords_version}"
                    )
                typer.echo(
                    f"{job_id:<32} {upcoming:<19}  {started:<19}  {outcome:<11} {seconds:>7}  {counts}"
                )
                if run and run.error:
                    typer.echo(f"{'':<32} {run.error.splitlines()[0][:160]}")
                if job_id in paused:
                    since, reason = paused[job_id]
                    typer.echo(f"{'':<32} paused since {_local(since, timezone)}: {reason[:160]}")
            incidents = history.open_incidents()
        finally:
            history.close()
        for incident in incidents:
            mailed = (
                f"mailed {_local(incident.mailed_at, timezone)}" if incident.mailed_at else "not mailed yet"
            )
            typer.echo(f"incident {incident.key} since {_local(incident.opened_at, timezone)} ({mailed})")
        _alert_queue(state, timezone)


def _alert_queue(state: Path, timezone: str) -> None:
    from alerts.ledger import Ledger
    from alerts.service import LEDGER_FILE

    path = state / LEDGER_FILE
    if not path.exists():
        return
    ledger = Ledger(path)
    try:
        waiting = ledger.pending_count()
        queued = ledger.searches_with_queued()
    finally:
        ledger.close()
    typer.echo(
        f"alert mails waiting to be sent: {waiting}; saved searches with matches waiting for their cadence: "
        f"{', '.join(queued) or 'none'}"
    )
