"""Schema of ``config/keywords/*.yaml`` (owned by the NLP pipeline; this is the minimal first cut)."""

from __future__ import annotations

from radar.config.base import StrictModel


class KeywordFile(StrictModel):
    """One analyst-owned keyword file. Extended by the NLP issue."""

    name: str
    description: str = ""
