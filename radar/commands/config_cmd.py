"""``smokkelradar config check``: validate configuration files and say exactly where they are wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

CONFIG_OPTION_HELP = (
    "The radar.yaml to check when no PATH is given (default: $SMOKKELRADAR_CONFIG or config/radar.yaml)."
)


def register(app: typer.Typer) -> None:
    config_app = typer.Typer(help="Check the configuration in config/.", no_args_is_help=True)
    app.add_typer(config_app, name="config")

    @config_app.command("check")
    def check(
        paths: Annotated[
            list[Path] | None,
            typer.Argument(
                help="Files or folders to check: a radar.yaml (with everything it names), a folder holding "
                "one, or single sources/keywords/alerts files or folders.",
                show_default=False,
            ),
        ] = None,
        config: Annotated[
            Path | None,
            typer.Option(
                "--config", "-c", envvar="SMOKKELRADAR_CONFIG", help=CONFIG_OPTION_HELP, show_default=False
            ),
        ] = None,
    ) -> None:
        """Validate configuration files; print every problem as file:line: key path: message.

        Exit status: 0 when everything is valid, 1 when any problem was found.
        """
        from radar.config.loader import check_paths, default_config_path, load_config_problems

        if paths:
            problems = check_paths(paths)
            summary = f"{len(paths)} path{'s' if len(paths) != 1 else ''} checked"
        else:
            radar_yaml = config or default_config_path()
            loaded, problems = load_config_problems(radar_yaml)
            summary = f"{radar_yaml}: "
            if loaded is not None:
                enabled = len(loaded.enabled_sources())
                summary += (
                    f"{len(loaded.sources)} sources ({enabled} enabled), "
                    f"{len(loaded.keywords)} keyword files, {len(loaded.alerts)} saved searches"
                )
        for problem in problems:
            typer.echo(f"{problem}  [{problem.code.value}]")
        if problems:
            noun = "problem" if len(problems) == 1 else "problems"
            typer.echo(f"{len(problems)} {noun} found.")
            raise typer.Exit(1)
        typer.echo(f"configuration is valid ({summary.rstrip(': ')}).")
