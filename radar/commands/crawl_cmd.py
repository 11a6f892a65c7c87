"""``smokkelradar crawl [SOURCE...]``: crawl sources now, with progress per source and a summary.

Each source is crawled in its own child process (``python -m scrapy crawl <kind> -a
source=<name>``: a Twisted reactor cannot be restarted), one after the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import typer

from radar.commands.options import ConfigOption

EXIT_FAILED = 1


def register(app: typer.Typer) -> None:
    @app.command("crawl")
    def crawl(
        sources: list[str] = typer.Argument(None, help="Source names (default: every enabled source)."),
        config: ConfigOption = Path("config/radar.yaml"),
        timeout: float = typer.Option(3600.0, help="Stop a source's crawl after this many seconds."),
    ) -> None:
        """Crawl sources now: adverts go through enrichment into the spool; prints a report per source."""
        from rich.console import Console

        from radar.config.problems import ConfigError

        console = Console()
        try:
            chosen = _chosen_sources(config, sources or [])
        except (ConfigError, KeyError) as error:
            console.print(str(error.args[0]) if isinstance(error, KeyError) else str(error), markup=False)
            raise typer.Exit(EXIT_FAILED) from error
        outcomes = _crawl_with_progress(console, config, chosen, timeout)
        console.print(_summary(outcomes))
        for outcome in outcomes:
            for line in _warnings(outcome):
                console.print(line, markup=False)
        if any(not outcome.ok for outcome in outcomes):
            raise typer.Exit(EXIT_FAILED)


def _chosen_sources(config_path: Path, names: list[str]) -> list[Any]:
    from radar.config.loader import load_config

    config = load_config(config_path)
    if not names:
        return config.enabled_sources()
    unknown = [name for name in names if name not in config.sources]
    if unknown:
        known = ", ".join(sorted(config.sources)) or "none"
        raise KeyError(f"unknown source(s): {', '.join(unknown)} (sources in {config_path}: {known})")
    return [config.sources[name] for name in names]


def _crawl_with_progress(console: Any, config: Path, sources: list[Any], timeout: float) -> list[Any]:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from crawlers.runner import crawl_source

    outcomes = []
    columns = (SpinnerColumn(), TextColumn("{task.description:<24}"), TextColumn("{task.fields[status]}"))
    with Progress(*columns, TimeElapsedColumn(), console=console) as progress:
        tasks = {s.name: progress.add_task(s.name, status="waiting", total=None) for s in sources}
        for source in sources:
            task = tasks[source.name]

            def show(counts: dict[str, Any], task: Any = task) -> None:
                progress.update(task, status=_progress_text(counts))

            progress.update(task, status="starting")
            outcome = crawl_source(source.kind, source.name, config, timeout=timeout, on_progress=show)
            final = _progress_text(_counts(outcome)) if outcome.ok else f"FAILED: {outcome.failure()}"
            progress.update(task, status=final, total=1, completed=1)
            outcomes.append(outcome)
    return outcomes


def _counts(outcome: Any) -> dict[str, Any]:
    report = outcome.report or {}
    adverts = report.get("adverts", {})
    return {
        "pages": report.get("pages_fetched", 0),
        "new": adverts.get("new", 0),
        "seen": adverts.get("already_seen", 0),
        "errors": sum(report.get("errors", {}).values()),
    }


def _progress_text(counts: dict[str, Any]) -> str:
    return f"{counts['pages']} pages, {counts['new']} new, {counts['seen']} seen, {counts['errors']} errors"


def _summary(outcomes: list[Any]) -> Any:
    from rich.table import Table

    table = Table(title="Crawl summary")
    for header in (
        "source",
        "kind",
        "pages",
        "304",
        "new",
        "seen",
        "dropped",
        "errors",
        "drift",
        "time",
        "result",
    ):
        justify: Literal["left", "right"] = "left" if header in ("source", "kind", "result") else "right"
        table.add_column(header, justify=justify, no_wrap=header == "source", overflow="fold")
    for outcome in outcomes:
        report = outcome.report or {}
        adverts = report.get("adverts", {})
        dropped = sum(adverts.get("dropped", {}).values())
        errors = ", ".join(f"{k} {v}" for k, v in report.get("errors", {}).items()) or "0"
        table.add_row(
            outcome.source,
            str(report.get("kind", "")),
            str(report.get("pages_fetched", "")),
            str(report.get("not_modified", "")),
            str(adverts.get("new", "")),
            str(adverts.get("already_seen", "")),
            str(dropped),
            errors,
            str(len(report.get("drift", []))),
            f"{outcome.seconds:.0f}s",
            "ok" if outcome.ok else f"FAILED: {outcome.failure()}",
        )
    return table


def _warnings(outcome: Any) -> list[str]:
    report = outcome.report or {}
    lines = []
    for drift in report.get("drift", []):
        lines.append(
            f"{outcome.source}: selector drift: {drift['selector']} ({drift['query']}) matched nothing on "
            f"{drift['missed_pages']} of {drift['pages']} pages, e.g. {', '.join(drift['urls'])}"
        )
    for note in report.get("notes", []):
        lines.append(f"{outcome.source}: {note['message']}")
    for reason, number in report.get("adverts", {}).get("dropped", {}).items():
        lines.append(f"{outcome.source}: {number} advert(s) dropped: {reason}")
    return lines
