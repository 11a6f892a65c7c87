"""The labelled evaluation set under two keyword configurations, and whether it got worse.

Both pipelines score the shipped corpus (``nlp.evaluation``: P/R/F1 per field and per language,
language accuracy, relevance ROC AUC). A figure got worse when the proposal's value is lower
than the baseline's by more than the tolerance. Per-language figures count only where the
language has at least ``min_support`` labelled items for that field, so one advert in a rare
language cannot fail the gate alone; a change that breaks a language moves many items at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.evaluation import CORPUS_DIR, FIELDS, advert_text, evaluate, load_corpus

if TYPE_CHECKING:
    from spacy.language import Language


def evaluation_figures(nlp: Language, corpus: Path = CORPUS_DIR) -> dict[str, Any]:
    """``smokkelradar eval``'s figures for one pipeline."""
    from nlp import enrich_texts  # spaCy: loaded when a back-test runs, not when the web app starts

    entries = load_corpus(corpus)
    records = list(enrich_texts(nlp, ({"id": e["id"], "text": advert_text(e)} for e in entries)))
    fold = getattr(nlp.get_pipe("smokkelradar_normalize"), "fold_term")  # noqa: B009 (spaCy types pipes as callables)
    return evaluate(entries, records, fold).as_dict()


@dataclass(frozen=True)
class Delta:
    figure: str  # "documents F1", "ar transport F1", "language accuracy (ar)"
    before: float
    after: float

    @property
    def change(self) -> float:
        return round(self.after - self.before, 4)

    def as_dict(self) -> dict[str, Any]:
        return {"figure": self.figure, "before": self.before, "after": self.after, "change": self.change}


@dataclass
class EvalComparison:
    tolerance: float
    deltas: list[Delta] = field(default_factory=list)  # every figure that moved

    @property
    def worse(self) -> list[Delta]:
        return [delta for delta in self.deltas if delta.change < -self.tolerance]

    @property
    def failed(self) -> bool:
        return bool(self.worse)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tolerance": self.tolerance,
            "failed": self.failed,
            "worse": [d.as_dict() for d in self.worse],
            "changed": [d.as_dict() for d in self.deltas],
        }


def _pairs(before: dict[str, Any], after: dict[str, Any], min_support: int) -> list[tuple[str, float, float]]:
    pairs = [
        ("language accuracy", before["language"]["accuracy"], after["language"]["accuracy"]),
        (
            "language accuracy, short adverts",
            before["language"]["short_accuracy"],
            after["language"]["short_accuracy"],
        ),
        ("relevance ROC AUC", before["relevance_auc"], after["relevance_auc"]),
    ]
    for name in FIELDS:
        for measure in ("f1", "precision", "recall"):
            pairs.append(
                (f"{name} {measure}", before["fields"][name][measure], after["fields"][name][measure])
            )
    for lang, accuracy in before["language"]["by_language"].items():
        pairs.append(
            (f"language accuracy ({lang})", accuracy, after["language"]["by_language"].get(lang, 0.0))
        )
    for lang, figures in before["by_language"].items():
        for name in FIELDS:
            old, new = figures[name], after["by_language"].get(lang, {}).get(name, {})
            if max(old["support"], new.get("support", 0)) >= min_support:
                pairs.append((f"{lang} {name} f1", old["f1"], new.get("f1", 0.0)))
    return pairs


def compare_evaluations(
    before: dict[str, Any], after: dict[str, Any], *, tolerance: float = 0.01, min_support: int = 5
) -> EvalComparison:
    comparison = EvalComparison(tolerance)
    for figure, old, new in _pairs(before, after, min_support):
        if round(new - old, 4) != 0:
            comparison.deltas.append(Delta(figure, float(old), float(new)))
    return comparison
