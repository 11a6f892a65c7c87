"""``smokkelradar config check``: validate configuration files (placeholder until the loader lands)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    config_app = typer.Typer(help="Check the configuration in config/.", no_args_is_help=True)
    app.add_typer(config_app, name="config")

    @config_app.command("check")
    def check() -> None:
        """Validate configuration files."""
        raise typer.Exit(2)
