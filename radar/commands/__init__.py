"""Command groups of the CLI, one module each; ``register_all`` wires them up."""

from __future__ import annotations

import typer


def register_all(app: typer.Typer) -> None:
    """Attach every command group to the top-level app.

    One line per module; keep the imports local so a broken optional
    component cannot stop ``smokkelradar --help``.
    """
    from radar.commands import config_cmd, demo_cmd, es_cmd, mailbox_cmd, run_cmd

    config_cmd.register(app)
    es_cmd.register(app)
    demo_cmd.register(app)
    mailbox_cmd.register(app)
    run_cmd.register(app)
