"""``smokkelradar run``: one cycle of the main job with a summary."""

from __future__ import annotations

from pathlib import Path

import typer

from radar.commands.options import ConfigOption


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(config: ConfigOption = Path("config/radar.yaml")) -> None:
        """Run one cycle — crawl, enrich, index, alert — and print what each stage did."""
        from radar.cycle import run_cycle, summary_lines

        outcomes = run_cycle(config)
        typer.echo(f"smokkelradar cycle on {config}:")
        for line in summary_lines(outcomes):
            typer.echo(line)
        if any(outcome.status == "failed" for outcome in outcomes):
            raise typer.Exit(1)
