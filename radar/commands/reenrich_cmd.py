"""``smokkelradar reenrich``: re-tag indexed adverts with the live keyword configuration (docs/workbench.md).

Runs in the foreground with a progress bar, or with ``--background`` as a detached process
whose output goes to ``<data.state>/reenrich.log``; ``--status`` shows where runs stand. A
stopped run resumes where it stopped. Exit 0 when the run finished (or paused at --max-pages),
1 on an error (the run stays resumable).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from radar.commands.options import ConfigOption

if TYPE_CHECKING:
    from workbench.reenrich.run import ReenrichReport


def _status(state: Path) -> None:
    from workbench.reenrich.checkpoint import CHECKPOINT_FILE, Checkpoints

    if not (state / CHECKPOINT_FILE).exists():
        typer.echo("no re-enrichment has run yet")
        return
    checkpoints = Checkpoints(state / CHECKPOINT_FILE)
    try:
        runs = checkpoints.recent()
    finally:
        checkpoints.close()
    typer.echo(
        f"{'RUN':>4}  {'KEYWORDS':<12}  {'STATE':<10}  {'DONE':>15}  {'UPDATED':>8}  {'BACKFILL':>8}  "
        "LAST CHANGE"
    )
    for run in runs:
        done = f"{run.seen}/{run.total}"
        typer.echo(
            f"{run.id:>4}  {run.keywords_version:<12}  {run.state:<10}  {done:>15}  {run.updated:>8}  "
            f"{run.backfilled:>8}  {run.updated_at}"
        )
        if run.error:
            typer.echo(f"      {run.error.splitlines()[0][:160]}")


def _background(state: Path) -> None:
    """Start the same command detached, without --background; its output goes to the log file."""
    from workbench.reenrich.background import start_background

    child, log = start_background(state, [arg for arg in sys.argv[1:] if arg != "--background"])
    typer.echo(f"re-enrichment started in the background (pid {child.pid}); log: {log}")
    typer.echo("follow it with: smokkelradar reenrich --status")


def _line(report: ReenrichReport) -> str:
    run = report.run
    return (
        f"run {run.id}: {run.seen}/{run.total} adverts, {run.updated} re-tagged, {run.unchanged} unchanged, "
        f"{run.gone} gone, {run.backfilled} back-filled alerts ({run.mails} mails), "
        f"{report.rate:.0f} adverts/s"
    )


def register(app: typer.Typer) -> None:
    @app.command("reenrich")
    def reenrich(
        config: ConfigOption = Path("config/radar.yaml"),
        since: Annotated[
            str | None, typer.Option("--since", help="Adverts dated since: a date or 30d.")
        ] = None,
        source: Annotated[
            list[str] | None, typer.Option("--source", help="Only this source (repeat).")
        ] = None,
        batch: Annotated[int, typer.Option("--batch", help="Adverts per page.", min=1, max=5000)] = 500,
        no_backfill: Annotated[
            bool, typer.Option("--no-backfill", help="Do not alert adverts that newly match a saved search.")
        ] = False,
        deliver: Annotated[
            bool,
            typer.Option(
                "--deliver",
                help="At the end, mail the immediate searches' queued matches (back-fills among them) and "
                "send what is due; other searches' back-fills wait for their cadence.",
            ),
        ] = False,
        restart: Annotated[bool, typer.Option("--restart", help="Start afresh instead of resuming.")] = False,
        max_pages: Annotated[
            int | None, typer.Option("--max-pages", help="Stop after N pages (resumable).")
        ] = None,
        background: Annotated[bool, typer.Option("--background", help="Run detached; see --status.")] = False,
        status: Annotated[bool, typer.Option("--status", help="Show the latest runs and exit.")] = False,
    ) -> None:
        """Re-tag indexed adverts from their stored text with the current keywords, in resumable pages
        under the indexer's writer lock; adverts that newly match a saved search are alerted once
        (mail subject marked back-fill) when their search's cadence comes round."""
        from radar.config.loader import load_config

        loaded = load_config(config)
        state = loaded.radar.data.state
        if status:
            _status(state)
            return
        if background:
            _background(state)
            return
        from indexer.stage import connected
        from workbench.reenrich.run import Reenricher, ReenrichOptions
        from workbench.sample import since_moment

        options = ReenrichOptions(
            since=since_moment(since) if since else None, sources=tuple(source or ()), batch_size=batch,
            backfill=not no_backfill, deliver=deliver, restart=restart, max_pages=max_pages,
        )  # fmt: skip
        with connected(config) as (_, client):
            reenricher = Reenricher(loaded, client, options)
            typer.echo(f"keywords version {reenricher.version}; {reenricher.count()} adverts to re-tag")
            report = reenricher.run(_progress())
        if sys.stderr.isatty():
            sys.stderr.write("\n")  # end the progress line
        resumed = " (resumed)" if report.resumed else ""
        typer.echo(
            f"{_line(report)}{resumed}; {report.run.state}"
            + (f"; {report.mails_sent} mails sent" if deliver else "")
        )


def _progress() -> Callable[[ReenrichReport], None]:
    """A callback printing progress: a rewritten line on a terminal, one line per 10 pages otherwise."""
    interactive = sys.stderr.isatty()

    def show(report: ReenrichReport) -> None:
        if interactive:
            sys.stderr.write("\r" + _line(report) + "   ")
            sys.stderr.flush()
        elif report.pages % 10 == 1:
            sys.stderr.write(_line(report) + "\n")

    return show
