"""The quality gate: the pipeline's figures on the labelled corpus never drop below their floors.

Floors live in ``tests/eval/baseline.json``, pinned a little below what the pipeline reached;
they are only ever raised. A change to a keyword file or a component that costs quality fails
here, naming every figure that dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from nlp import enrich_texts
from nlp.evaluation import CORPUS_DIR, FIELDS, advert_text, evaluate, load_corpus

BASELINE = Path(__file__).resolve().parents[2] / "eval" / "baseline.json"


@pytest.fixture(scope="module")
def figures(nlp: Language) -> dict[str, Any]:
    entries = load_corpus(CORPUS_DIR)
    records = list(enrich_texts(nlp, ({"id": e["id"], "text": advert_text(e)} for e in entries)))
    fold = nlp.get_pipe("smokkelradar_normalize").fold_term  # type: ignore[attr-defined]
    return evaluate(entries, records, fold).as_dict()


def test_baseline_names_known_figures() -> None:
    floors = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert set(floors["f1"]) <= set(FIELDS)
    values = [floors["language_accuracy"], floors["language_accuracy_short"], floors["relevance_auc"]]
    assert all(0.0 <= value <= 1.0 for value in [*values, *floors["f1"].values()])


def test_no_figure_drops_below_its_floor(figures: dict[str, Any]) -> None:
    floors = json.loads(BASELINE.read_text(encoding="utf-8"))
    reached = {
        "language_accuracy": figures["language"]["accuracy"],
        "language_accuracy_short": figures["language"]["short_accuracy"],
        "relevance_auc": figures["relevance_auc"],
        **{f"f1.{name}": figures["fields"][name]["f1"] for name in floors["f1"]},
    }
    wanted = {
        "language_accuracy": floors["language_accuracy"],
        "language_accuracy_short": floors["language_accuracy_short"],
        "relevance_auc": floors["relevance_auc"],
        **{f"f1.{name}": floor for name, floor in floors["f1"].items()},
    }
    dropped = [
        f"{name}: {reached[name]:.4f} < floor {floor}"
        for name, floor in wanted.items()
        if reached[name] < floor
    ]
    assert not dropped, "quality dropped below the pinned floors:\n" + "\n".join(dropped)


def test_the_corpus_is_big_enough_to_mean_something(figures: dict[str, Any]) -> None:
    assert figures["adverts"] >= 400
    assert figures["language"]["short_adverts"] >= 40
