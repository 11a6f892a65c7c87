"""Command groups of the CLI, one module each; ``register_all`` wires them up."""

from __future__ import annotations

from importlib import import_module

import typer

# One line per command module (radar/commands/<name>.py with a ``register(app)``).
COMMAND_MODULES = (
    "config_cmd",
    "es_cmd",
    "demo_cmd",
    "mailbox_cmd",
    "services_cmd",
    "run_cmd",
    "crawl_cmd",
    "sources_cmd",
    "evidence_cmd",
    "index_cmd",
    "search_cmd",
    "pivot_cmd",
    "retention_cmd",
    "pin_cmd",
    "alerts_cmd",
    "serve_cmd",
    "status_cmd",
    "enrich_cmd",
    "eval_cmd",
    "users_cmd",
    "web_cmd",
    "keywords_cmd",
    "reenrich_cmd",
    "label_cmd",
)


def register_all(app: typer.Typer) -> None:
    """Attach every command group to the top-level app, in the order listed."""
    for name in COMMAND_MODULES:
        import_module(f"radar.commands.{name}").register(app)
