"""spaCy enrichment pipeline: normalization, language, places, prices, documents, contacts, score.

``build_pipeline(config)`` builds the spaCy ``Language`` once per process;
``enrich_texts(nlp, records)`` turns ``{"id", "text", ...}`` records into enrichment
records (docs/enrichment.md).
"""

from __future__ import annotations

from nlp.enrich import enrich_texts
from nlp.pipeline import build_pipeline
from nlp.record import RECORD_FIELDS, record_of

__all__ = ["RECORD_FIELDS", "build_pipeline", "enrich_texts", "record_of"]
