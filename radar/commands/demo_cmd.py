"""Placeholder for the demo command group."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach nothing yet."""
