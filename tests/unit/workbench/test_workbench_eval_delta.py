"""Comparing two evaluations: what moved, and whether anything got worse than the tolerance."""

from __future__ import annotations

import copy
from typing import Any

from nlp.evaluation import FIELDS
from workbench.eval_delta import compare_evaluations


def _figures() -> dict[str, Any]:
    counts = {"precision": 0.9, "recall": 0.8, "f1": 0.85, "support": 40}
    return {
        "language": {"accuracy": 0.99, "short_accuracy": 0.97, "by_language": {"ar": 1.0, "so": 1.0}},
        "relevance_auc": 0.98,
        "fields": {name: dict(counts) for name in FIELDS},
        "by_language": {
            "ar": {name: dict(counts) for name in FIELDS},
            "so": {name: {**counts, "support": 2} for name in FIELDS},
        },
    }


def test_unchanged_figures_pass() -> None:
    comparison = compare_evaluations(_figures(), _figures())
    assert comparison.deltas == [] and not comparison.failed


def test_a_drop_beyond_the_tolerance_fails_and_within_passes() -> None:
    after = copy.deepcopy(_figures())
    after["by_language"]["ar"]["transport"]["f1"] = 0.5
    after["fields"]["documents"]["f1"] = 0.845
    comparison = compare_evaluations(_figures(), after, tolerance=0.01)
    assert [d.figure for d in comparison.worse] == ["ar transport f1"]
    assert {d.figure for d in comparison.deltas} == {"ar transport f1", "documents f1"}
    assert comparison.failed
    assert compare_evaluations(_figures(), after, tolerance=0.4).failed is False


def test_a_language_with_little_support_cannot_fail_alone() -> None:
    after = copy.deepcopy(_figures())
    after["by_language"]["so"]["transport"]["f1"] = 0.0
    assert not compare_evaluations(_figures(), after, min_support=5).failed
    assert compare_evaluations(_figures(), after, min_support=2).failed
