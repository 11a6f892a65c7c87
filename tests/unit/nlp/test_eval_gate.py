"""The quality gate: the pipeline's figures on the labelled corpus never drop below their floors.

Floors live in ``tests/eval/baseline.json``, pinned a little below what the pipeline reached;
they are only ever raised. A change to a keyword file or a component that costs quality fails
here, naming every figure that dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from nlp.evaluation import CORPUS_DIR
from tests.unit.nlp.gate import below_floors, corpus_figures, load_floors

BASELINE = Path(__file__).resolve().parents[2] / "eval" / "baseline.json"


@pytest.fixture(scope="module")
def figures(nlp: Language) -> dict[str, Any]:
    return corpus_figures(nlp, CORPUS_DIR)


def test_baseline_names_known_figures() -> None:
    load_floors(BASELINE)


def test_no_figure_drops_below_its_floor(figures: dict[str, Any]) -> None:
    dropped = below_floors(figures, load_floors(BASELINE))
    assert not dropped, "quality dropped below the pinned floors:\n" + "\n".join(dropped)


def test_the_corpus_is_big_enough_to_mean_something(figures: dict[str, Any]) -> None:
    assert figures["adverts"] >= 400
    assert figures["language"]["short_adverts"] >= 40
