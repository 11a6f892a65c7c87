"""Fixtures for the enrichment tests: one pipeline per test session (building it takes seconds)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from spacy.language import Language


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The pipeline built from the shipped config/keywords."""
    from nlp import build_pipeline

    return build_pipeline()


@pytest.fixture(scope="session")
def enrich(nlp: Language) -> Callable[[str], dict[str, Any]]:
    """Enrich one text and return its record."""
    from nlp import enrich_texts

    def run(text: str) -> dict[str, Any]:
        return next(enrich_texts(nlp, [{"id": "t", "text": text}]))

    return run
