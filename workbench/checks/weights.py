"""Weights out of range: numbers the schema accepts but no analyst means.

The relevance score is ``logistic(bias + Σ weight)``: a rule weighing 25 decides every advert on
its own, ``.inf`` or ``.nan`` (valid YAML floats) break the score. Language-detection weights
are shares of evidence and must be finite and not negative. Limits are arguments so a team
that wants other bounds passes them from the command line.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from radar.config.documents import Document
from radar.config.keywords import KeywordFile
from radar.config.positions import Loc
from radar.errors import Code
from workbench.checks.findings import Finding, Severity, finding


@dataclass(frozen=True)
class WeightLimits:
    rule: float = 10.0  # |relevance rule weight| and |bias|
    language: float = 10.0  # letter weights, priors and detection weights


def _numbers(kw: KeywordFile) -> Iterator[tuple[Loc, float, str]]:
    """(place, value, kind) of every weight; kind picks the rule that applies."""
    if kw.relevance is not None:
        yield ("relevance", "bias"), kw.relevance.bias, "signed"
        for index, rule in enumerate(kw.relevance.rules):
            yield ("relevance", "rules", index, "weight"), rule.weight, "rule"
    for code, profile in kw.languages.items():
        yield ("languages", code, "prior"), profile.prior, "signed_language"
        for letter, weight in profile.letters.items():
            yield ("languages", code, "letters", letter), weight, "positive"
    detection = kw.language_detection
    if detection is not None:
        for key in (
            "word_weight",
            "letter_weight",
            "langdetect_weight",
            "place_name_weight",
            "decisive_margin",
        ):
            yield ("language_detection", key), getattr(detection, key), "non_negative"
        for script, weight in detection.script_weights.items():
            yield ("language_detection", "script_weights", script), weight, "non_negative"
    if kw.prices is not None:
        for code, rate in kw.prices.rates_to_eur.items():
            yield ("prices", "rates_to_eur", code), rate, "finite"
        for index, currency in enumerate(kw.prices.currencies):
            yield ("prices", "currencies", index, "multiplier"), currency.multiplier, "finite"


def _problem(value: float, kind: str, limits: WeightLimits) -> tuple[str, bool] | None:
    """(message, is_error) for a bad value, or None."""
    if not math.isfinite(value):
        return f"must be a finite number, got {value}", True
    if kind == "finite":
        return None
    bound = limits.rule if kind in ("rule", "signed") else limits.language
    if kind in ("rule", "signed", "signed_language") and abs(value) > bound:
        return f"{value:g} is out of range: keep it between {-bound:g} and {bound:g}", True
    if kind == "positive" and not 0 < value <= bound:
        return f"{value:g} is out of range: a letter weight is above 0 and at most {bound:g}", True
    if kind == "non_negative" and not 0 <= value <= bound:
        return f"{value:g} is out of range: keep it between 0 and {bound:g}", True
    if kind == "rule" and value == 0:
        return "weight 0 never changes the score: give the rule a weight or remove it", False
    return None


def weights_out_of_range(
    pairs: Sequence[tuple[Document, KeywordFile]], limits: WeightLimits = WeightLimits()
) -> Iterator[Finding]:
    for doc, kw in pairs:
        for loc, value, kind in _numbers(kw):
            found = _problem(value, kind, limits)
            if found is not None:
                message, is_error = found
                severity: Severity = "error" if is_error else "warning"
                yield finding(doc.path, doc.tree, loc, message, Code.KEYWORD_WEIGHT_RANGE, severity)
