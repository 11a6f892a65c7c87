"""``smokkelradar keywords test``: what the pipeline reads in one text, each finding located in it.

The enrichment record gives offsets for places, prices and phones. Documents, transport,
services, document qualifiers and the relevance rules are lists without positions, so their
terms are found again with the pipeline's own matchers (``nlp.documents.compile_groups``,
``nlp.terms.TermMatcher``) over the advert's folded tokens and language gate, and mapped back to
the text as written. Feature rules (a price, a contact, a route) are listed with what set them off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

from spacy.language import Language

from nlp.annotations import Analysis, analysis_of
from nlp.documents import compile_groups
from nlp.enrich import clean_text, enrich_texts, max_chars_of
from nlp.resources import Resources
from nlp.terms import TermMatcher
from nlp.vocabulary import merge
from radar.config.keywords import KeywordFile


@dataclass(frozen=True)
class Mark:
    """A finding located in the text: ``text[start:end]``."""

    start: int
    end: int
    kind: str  # place, price, phone, handle, email, document, qualifier, service, transport, rule
    label: str
    text: str


@dataclass
class TestResult:
    record: dict[str, Any]
    marks: list[Mark]
    features: list[tuple[str, float, str]]  # (rule, weight, what set it off) for feature rules
    text: str = ""  # the text as the pipeline read it (cleaned): what the offsets of ``marks`` point into

    def as_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "marks": [asdict(mark) for mark in self.marks],
            "feature_rules": [{"rule": r, "weight": w, "because": why} for r, w, why in self.features],
        }


def pieces(text: str, marks: Sequence[Mark]) -> list[tuple[str, tuple[Mark, ...]]]:
    """``text`` cut at every mark boundary: (piece, the marks covering it), outermost mark first.

    For pages that show the marks nested (a place inside a rule's phrase); the text stays plain
    text, so whoever renders it escapes it."""
    bounds = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    cut: list[tuple[str, tuple[Mark, ...]]] = []
    for start, end in pairwise(bounds):
        if not 0 <= start < end <= len(text):
            continue
        covering = tuple(
            sorted((m for m in marks if m.start <= start and m.end >= end), key=lambda m: m.start - m.end)
        )
        cut.append((text[start:end], covering))
    return cut


_FEATURE_EVIDENCE = {
    "price": "a price",
    "phone": "a phone number",
    "handle": "a messenger handle",
    "email": "a mail address",
    "contact": "a contact",
    "route": "a route",
    "place": "a place",
    "document": "a document",
    "forged_document": "a document with a qualifier",
    "transport": "a means of transport",
    "service": "a service cue",
    "route_and_price": "a route and a price",
}


class Marker:
    """Locates findings for one keyword configuration (build once, test many texts)."""

    def __init__(self, nlp: Language, files: Sequence[KeywordFile]) -> None:
        self.nlp = nlp
        resources = Resources(merge(files))
        vocab = resources.vocab
        self._groups: list[tuple[str, TermMatcher[str]]] = [
            ("document", compile_groups(resources, vocab.documents)),
            ("qualifier", compile_groups(resources, vocab.document_qualifiers)),
            ("service", compile_groups(resources, vocab.services)),
            ("transport", compile_groups(resources, vocab.transport)),
        ]
        self._term_rules = [rule for rule in vocab.relevance_rules if rule.terms is not None]
        self._feature_rules = {rule.name: rule.feature for rule in vocab.relevance_rules if rule.feature}
        rules: TermMatcher[int] = resources.keyword_matcher()
        for index, rule in enumerate(self._term_rules):
            rules.add_terms(rule.terms or {}, index)
        self._rules = rules

    def test(self, text: str) -> TestResult:
        record = next(enrich_texts(self.nlp, [{"id": "text", "text": text}]))
        record.pop("id", None)
        cleaned, _ = clean_text(text, max_chars_of(self.nlp))
        state = analysis_of(self.nlp(cleaned))
        marks = self._record_marks(record, cleaned) + self._term_marks(state, cleaned)
        marks.sort(key=lambda mark: (mark.start, -mark.end, mark.kind))
        fired = {rule["rule"]: rule["weight"] for rule in record["rules"]}
        features = [
            (name, float(fired[name]), _FEATURE_EVIDENCE.get(str(feature), str(feature)))
            for name, feature in self._feature_rules.items()
            if name in fired
        ]
        return TestResult(record, marks, features, cleaned)

    @staticmethod
    def _record_marks(record: dict[str, Any], text: str) -> list[Mark]:
        marks = []
        for place in record["places"]:
            label = f"{place['country']} ({place['role']})"
            marks.append(
                Mark(place["start"], place["end"], "place", label, text[place["start"] : place["end"]])
            )
        for price in record["prices"]:
            euro = f", {price['eur']:g} EUR" if price["eur"] is not None else ""
            label = f"{price['amount']:g} {price['currency']} {price['kind']}{euro}"
            marks.append(
                Mark(price["start"], price["end"], "price", label, text[price["start"] : price["end"]])
            )
        for phone in record["phones"]:
            marks.append(
                Mark(
                    phone["start"], phone["end"], "phone", phone["e164"], text[phone["start"] : phone["end"]]
                )
            )
        lowered = text.lower()
        for email in record["emails"]:
            start = lowered.find(email)
            if start >= 0:
                marks.append(
                    Mark(start, start + len(email), "email", email, text[start : start + len(email)])
                )
        return marks

    def _term_marks(self, state: Analysis, text: str) -> list[Mark]:
        marks = []
        for handle in state.handles:
            label = f"{handle.platform} {handle.value}"
            marks.append(Mark(handle.start, handle.end, "handle", label, text[handle.start : handle.end]))
        for kind, matcher in self._groups:
            for hit in matcher.match(state.tokens, state.gate):
                start, end = state.folded.original_span(hit.start, hit.end)
                marks.append(Mark(start, end, kind, hit.payload, text[start:end]))
        for rule_hit in self._rules.match(state.tokens, state.gate):
            rule = self._term_rules[rule_hit.payload]
            start, end = state.folded.original_span(rule_hit.start, rule_hit.end)
            marks.append(Mark(start, end, "rule", f"{rule.name} ({rule.weight:+g})", text[start:end]))
        return marks
