"""What both quality gates share: score a labelled folder, compare with pinned floors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from spacy.language import Language

from nlp import enrich_texts
from nlp.evaluation import FIELDS, advert_text, evaluate, load_corpus


def corpus_figures(nlp: Language, folder: Path) -> dict[str, Any]:
    """The evaluation figures of the pipeline on the labelled adverts in ``folder``."""
    entries = load_corpus(folder)
    records = list(enrich_texts(nlp, ({"id": e["id"], "text": advert_text(e)} for e in entries)))
    fold = nlp.get_pipe("smokkelradar_normalize").fold_term  # type: ignore[attr-defined]
    return evaluate(entries, records, fold).as_dict()


def load_floors(baseline: Path) -> dict[str, Any]:
    """The pinned floors, checked to name known figures with values in 0..1."""
    floors: dict[str, Any] = json.loads(baseline.read_text(encoding="utf-8"))
    assert set(floors["f1"]) <= set(FIELDS), f"{baseline}: unknown fields {set(floors['f1']) - set(FIELDS)}"
    values = [floors["language_accuracy"], floors["language_accuracy_short"], floors["relevance_auc"]]
    assert all(0.0 <= value <= 1.0 for value in [*values, *floors["f1"].values()]), baseline
    return floors


def below_floors(figures: dict[str, Any], floors: dict[str, Any]) -> list[str]:
    """One line per figure that dropped below its floor; empty when none did."""
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
    return [
        f"{name}: {reached[name]:.4f} < floor {floor}"
        for name, floor in wanted.items()
        if reached[name] < floor
    ]
