"""spaCy enrichment pipeline: normalization, language, places, prices, documents, contacts, score.

``build_pipeline(config)`` builds the spaCy ``Language`` once per process;
``enrich_texts(nlp, records)`` turns ``{"id", "text", ...}`` records into enrichment
records (docs/enrichment.md).

The names below are imported on first use, so that importing a light module of the package
(``nlp.version``, ``nlp.normalize``) does not load spaCy: the web app needs the keyword version
for every worker, the pipeline only when an analyst tests a text.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nlp.enrich import enrich_texts
    from nlp.pipeline import build_pipeline
    from nlp.record import RECORD_FIELDS, record_of

__all__ = ["RECORD_FIELDS", "build_pipeline", "enrich_texts", "record_of"]
_HOMES = {
    "enrich_texts": "nlp.enrich",
    "build_pipeline": "nlp.pipeline",
    "RECORD_FIELDS": "nlp.record",
    "record_of": "nlp.record",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'nlp' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value  # later look-ups skip this function
    return value
