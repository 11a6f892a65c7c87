"""``smokkelradar_relevance``: a 0..1 score for "this offers smuggling or document services".

score = logistic(bias + the weights of the rules that fired). Rules come from
``relevance.yaml``: *feature* rules fire on what the other components found (a price, a
contact, a route, a forged document), *terms* rules on words (offer language pushes up;
news, warnings, agencies, job ads and sales push down). The advert keeps the list of
fired rules with their weights, so nobody has to trust a number they cannot explain.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from nlp.annotations import Analysis, FiredRule, analysis_of
from nlp.resources import Resources
from nlp.terms import TermMatcher
from radar.config.keywords import RelevanceRule

_WEIGHT = attrgetter("weight")

FEATURES: dict[str, Callable[[Analysis], bool]] = {
    "price": lambda s: bool(s.prices),
    "phone": lambda s: bool(s.phones),
    "handle": lambda s: bool(s.handles),
    "email": lambda s: bool(s.emails),
    "contact": lambda s: bool(s.phones or s.handles or s.emails),
    "route": lambda s: bool(s.route.origin or s.route.destination),
    "place": lambda s: bool(s.places),
    "document": lambda s: bool(s.documents),
    "forged_document": lambda s: bool(s.documents and s.document_qualifiers),
    "transport": lambda s: bool(s.transport),
    "service": lambda s: bool(s.services),
    "route_and_price": lambda s: bool((s.route.origin or s.route.destination) and s.prices),
}


class RelevanceScorer:
    def __init__(self, *, name: str = "smokkelradar_relevance") -> None:
        self.name = name
        self._bias = 0.0
        # Each feature rule's test and the FiredRule it adds (frozen: one object serves every advert).
        self._features: list[tuple[Callable[[Analysis], bool], FiredRule]] = []
        self._term_rules: list[RelevanceRule] = []
        self._terms: TermMatcher[int] | None = None

    def initialize(
        self, get_examples: Any = None, *, nlp: Language | None = None, resources: Resources
    ) -> None:
        vocab = resources.vocab
        self._bias = vocab.relevance_bias
        self._features = [
            (FEATURES[rule.feature], FiredRule(rule.name, rule.weight))
            for rule in vocab.relevance_rules
            if rule.feature is not None
        ]
        self._term_rules = [rule for rule in vocab.relevance_rules if rule.terms is not None]
        terms: TermMatcher[int] = resources.keyword_matcher()
        for index, rule in enumerate(self._term_rules):
            terms.add_terms(rule.terms or {}, index)
        self._terms = terms

    def __call__(self, doc: Doc) -> Doc:
        if self._terms is None:
            raise ValueError("smokkelradar_relevance is not initialized")
        state = analysis_of(doc)
        fired = [rule for test, rule in self._features if test(state)]
        distinct: dict[int, set[tuple[str, ...]]] = {}
        for hit in self._terms.match(state.tokens, state.gate, state.words, state.candidates):
            words = tuple(state.words[hit.first : hit.last])
            distinct.setdefault(hit.payload, set()).add(words)
        for index, phrases in sorted(distinct.items()):
            rule = self._term_rules[index]
            hits = min(len(phrases), rule.max_hits)
            fired.append(FiredRule(rule.name, round(rule.weight * hits, 4)))
        total = self._bias + sum(map(_WEIGHT, fired))
        state.rules = fired
        state.score = round(1.0 / (1.0 + math.exp(-total)), 4)
        return doc


@Language.factory("smokkelradar_relevance", default_config={})
def make_relevance_scorer(nlp: Language, name: str) -> RelevanceScorer:
    return RelevanceScorer(name=name)
