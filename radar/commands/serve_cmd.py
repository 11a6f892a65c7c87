"""``smokkelradar serve``: run the scheduler in the foreground until SIGTERM or Ctrl-C."""

from __future__ import annotations

import fcntl
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from radar.commands.options import ConfigOption

LEADER_LOCK = "scheduler.lock"


@contextmanager
def leader_lock(state_dir: Path) -> Iterator[None]:
    """Only one scheduler per state folder: a second ``serve`` refuses to start."""
    from radar.errors import Code, RadarError

    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / LEADER_LOCK
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode(errors="replace").strip() or "?"
            raise RadarError(
                Code.SCHEDULER_RUNNING,
                f"a scheduler already runs for {state_dir} (pid {holder}); stop it first",
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(descriptor)


def scheduler_running(state_dir: Path) -> int | None:
    """The pid of the scheduler holding the lock of ``state_dir``, or None."""
    path = state_dir / LEADER_LOCK
    if not path.exists():
        return None
    descriptor = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(descriptor, 32, 0).decode(errors="replace").strip()
            return int(text) if text.isdigit() else -1
        return None
    finally:
        os.close(descriptor)


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(config: ConfigOption = Path("config/radar.yaml")) -> None:
        """Run the scheduler: crawls, index drain, alerts, retention, config reload. Stop with SIGTERM.

        Jobs are kept in <data.state>/scheduler.sqlite and survive a restart; edits in config/
        are picked up while it runs (an invalid edit keeps the old jobs and mails the analysts).
        """
        from radar.config.loader import load_config
        from radar.scheduler import RadarScheduler

        radar_yaml = config.resolve()  # jobs keep this path: it must not depend on the working directory
        loaded = load_config(radar_yaml)
        stop = threading.Event()
        with leader_lock(loaded.radar.data.state):
            scheduler = RadarScheduler(radar_yaml, loaded)
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            signal.signal(signal.SIGINT, lambda *_: stop.set())
            report = scheduler.start()
            jobs = scheduler.scheduler.get_jobs()
            typer.echo(
                f"smokkelradar scheduler: {len(jobs)} job(s) for {radar_yaml} "
                f"(added {len(report.added)}, changed {len(report.changed)}, removed {len(report.removed)}); "
                "`smokkelradar status` shows them. Stop with Ctrl-C or SIGTERM.",
                err=True,
            )
            try:
                stop.wait()
            finally:
                typer.echo("stopping: waiting for running jobs to finish ...", err=True)
                scheduler.stop()
