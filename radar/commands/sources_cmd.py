"""``smokkelradar sources list|check``: the configured sources, and a live test of their selectors.

``check`` fetches each source's first page (and a couple of adverts) exactly as a crawl
would — robots.txt, user agent, SSRF guard, proxy — but stores nothing and changes no state,
then shows per selector on how many pages it matched. Exit status 1 when a source's first
page could not be fetched or a selector drifted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from radar.commands.options import ConfigOption

EXIT_PROBLEM = 1


def register(app: typer.Typer) -> None:
    sources_app = typer.Typer(help="The sources in the configuration: list them, check their selectors.")
    app.add_typer(sources_app, name="sources")

    @sources_app.command("list")
    def list_sources(config: ConfigOption = Path("config/radar.yaml")) -> None:
        """Show every configured source: kind, enabled, schedule, where it starts and where it is defined."""
        from rich.console import Console
        from rich.table import Table

        loaded = _load(config)
        table = Table(title=f"Sources in {config}")
        for header in ("name", "kind", "enabled", "schedule", "starts at", "defined in"):
            # Names are what people copy into commands: never wrapped.
            table.add_column(header, no_wrap=header == "name", overflow="fold")
        for name, source in sorted(loaded.sources.items()):
            table.add_row(
                name,
                source.kind,
                "yes" if source.enabled else "no",
                _schedule(source),
                _start(source),
                str(loaded.source_origins.get(name, "")),
            )
        Console().print(table)

    @sources_app.command("check")
    def check(
        names: list[str] = typer.Argument(None, help="Sources to check (default: every enabled source)."),
        config: ConfigOption = Path("config/radar.yaml"),
        timeout: float = typer.Option(300.0, help="Give up on a source after this many seconds."),
    ) -> None:
        """Fetch each source's first page live and report, per selector, whether it matches."""
        from crawlers.runner import crawl_source

        loaded = _load(config)
        unknown = [name for name in names or [] if name not in loaded.sources]
        if unknown:
            typer.echo(
                f"unknown source(s): {', '.join(unknown)} (known: {', '.join(sorted(loaded.sources))})"
            )
            raise typer.Exit(EXIT_PROBLEM)
        chosen = [loaded.sources[n] for n in names] if names else loaded.enabled_sources()
        problems = 0
        for source in chosen:
            outcome = crawl_source(source.kind, source.name, config, check=True, timeout=timeout)
            lines, bad = _check_lines(source.name, outcome)
            for line in lines:
                typer.echo(line)
            problems += bad
        if problems:
            raise typer.Exit(EXIT_PROBLEM)


def _load(config: Path) -> Any:
    from radar.config.loader import load_config
    from radar.config.problems import ConfigError

    try:
        return load_config(config)
    except ConfigError as error:
        typer.echo(str(error))
        raise typer.Exit(EXIT_PROBLEM) from error


def _schedule(source: Any) -> str:
    schedule = source.schedule
    return f"cron {schedule.cron}" if schedule.cron else f"every {schedule.every}"


def _start(source: Any) -> str:
    if source.kind in ("listing", "rendered"):
        return ", ".join(source.start_urls)
    if source.kind == "telegram":
        return ", ".join(f"{source.base_url.rstrip('/')}/s/{c}" for c in source.channels)
    return str(source.feed_url if source.kind == "feed" else source.sitemap_url)


def _check_lines(name: str, outcome: Any) -> tuple[list[str], int]:
    """The lines to print for one source, and 1 when it has a problem."""
    report = outcome.report
    if not outcome.ok or report is None:
        return [f"{name}: FAILED: {outcome.failure()}"], 1
    lines = [f"{name} ({report['kind']}): {report['pages_fetched']} page(s) fetched"]
    bad = report["pages_fetched"] == 0
    for kind, number in report.get("errors", {}).items():
        lines.append(f"  error {kind}: {number}")
        bad = True
    drifting = {d["selector"] for d in report.get("drift", [])}
    for tally in report.get("selectors", []):
        matched = tally["pages"] - tally["missed_pages"]
        flag = "DRIFT" if tally["selector"] in drifting else "ok"
        example = f"  e.g. {tally['urls'][0]}" if tally["urls"] and flag == "DRIFT" else ""
        lines.append(
            f"  {flag:<5} {tally['selector']:<18} matched on {matched}/{tally['pages']} page(s): "
            f"{tally['query']}{example}"
        )
    for note in report.get("notes", []):
        lines.append(f"  note: {note['message']}")
    return lines, int(bad or bool(drifting))
