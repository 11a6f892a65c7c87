"""The ``smokkelradar`` command line.

Each command group lives in its own module under ``radar/commands/`` and is
registered here; this module only assembles them. Imports of heavy packages
(Scrapy, spaCy, Elasticsearch) happen inside the commands, so ``--help`` stays
fast and the web app never pulls in Scrapy through the CLI.
"""

from __future__ import annotations

import sys

import typer

from radar import __version__
from radar.commands import register_all
from radar.errors import RadarError
from radar.logs import configure_logging

app = typer.Typer(
    name="smokkelradar",
    help="Monitor public adverts for migrant smuggling and forged documents, for the MDT.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"smokkelradar {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    log_level: str = typer.Option("INFO", "--log-level", help="DEBUG, INFO, WARNING or ERROR."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """smokkelradar: collect, tag, search and alert on smuggling adverts."""
    configure_logging(log_level)


register_all(app)


def run() -> None:
    """Console-script entry point.

    A ``RadarError`` that no command handled is the user's to act on: print
    its code and message, not a traceback, and exit 1.
    """
    try:
        app()
    except RadarError as error:
        typer.echo(str(error), err=True)
        sys.exit(1)
