"""The base of every configuration model: unknown keys rejected, values frozen."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A configuration object read from YAML.

    ``extra="forbid"`` turns a typo'd key into an error instead of a silently
    ignored setting; ``frozen`` keeps a loaded configuration from drifting at
    run time.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
