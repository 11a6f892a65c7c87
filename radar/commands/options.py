"""Options shared by several commands, declared once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

# The default radar.yaml: SMOKKELRADAR_CONFIG, else the production template.
DEFAULT_CONFIG = Path(os.environ.get("SMOKKELRADAR_CONFIG", "config/radar.yaml"))

ConfigOption = Annotated[
    Path,
    typer.Option(
        "--config",
        "-c",
        help="The radar.yaml to use (default: $SMOKKELRADAR_CONFIG or config/radar.yaml).",
        envvar="SMOKKELRADAR_CONFIG",
    ),
]
