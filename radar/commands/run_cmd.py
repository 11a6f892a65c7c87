"""``smokkelradar run``: one cycle of the main job with a summary."""

from __future__ import annotations

from pathlib import Path

import typer

from radar.commands.options import ConfigOption

# What an operator does next, printed after the summary.
NEXT_STEPS = """\
Next:
  search the adverts     .venv/bin/smokkelradar search "boat" --config {config}
  read the alert mails   .venv/bin/smokkelradar mailbox --maildir {maildir}
  services               .venv/bin/smokkelradar services status --config {config}
  stop everything        make stop"""


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(config: ConfigOption = Path("config/radar.yaml")) -> None:
        """Run one cycle — crawl, enrich, index, alert — and print what each stage did."""
        from radar.config.loader import load_config
        from radar.cycle import run_cycle, summary_lines

        loaded = load_config(config)  # an invalid configuration stops here, with every problem listed
        outcomes = run_cycle(config)
        typer.echo(f"smokkelradar: one cycle on {config}")
        for line in summary_lines(outcomes):
            typer.echo(line)
        typer.echo(NEXT_STEPS.format(config=config, maildir=loaded.radar.data.base / "mailbox"))
        if any(outcome.status == "failed" for outcome in outcomes):
            raise typer.Exit(1)
