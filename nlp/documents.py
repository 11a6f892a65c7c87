"""``smokkelradar_documents``: documents offered, their qualifiers, and service cues.

Documents (passport, schengen_visa, residence_permit, ...), qualifiers (original, fake,
stolen, registered "real in the system") and services (guaranteed, VIP, family, children
free, hawala/office/crypto payment, pay on arrival) are keyword groups of
``documents.yaml``; each is listed once per advert, in the order first named.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from nlp.annotations import analysis_of
from nlp.resources import Resources
from nlp.terms import Candidates, Gate, TermMatcher
from radar.config.keywords import TermGroup

_PAYLOAD, _LAST = attrgetter("payload"), attrgetter("last")  # of a Hit


def compile_groups(resources: Resources, groups: list[TermGroup]) -> TermMatcher[str]:
    """One matcher whose payload is the group's value."""
    matcher: TermMatcher[str] = resources.keyword_matcher()
    for group in groups:
        matcher.add_terms(group.terms, group.value)
    return matcher


def values_in_order(
    matcher: TermMatcher[str],
    tokens: list[Any],
    active: Gate | None,
    words: list[str] | None = None,
    candidates: Candidates | None = None,
) -> list[str]:
    """Distinct payloads of every match, first occurrence first."""
    return list(dict.fromkeys(map(_PAYLOAD, matcher.match(tokens, active, words, candidates))))


class DocumentTagger:
    def __init__(self, *, name: str = "smokkelradar_documents") -> None:
        self.name = name
        self._documents: TermMatcher[str] | None = None
        self._qualifiers: TermMatcher[str] | None = None
        self._services: TermMatcher[str] | None = None

    def initialize(
        self, get_examples: Any = None, *, nlp: Language | None = None, resources: Resources
    ) -> None:
        vocab = resources.vocab
        self._documents = compile_groups(resources, vocab.documents)
        self._qualifiers = compile_groups(resources, vocab.document_qualifiers)
        self._services = compile_groups(resources, vocab.services)

    def __call__(self, doc: Doc) -> Doc:
        if self._documents is None or self._qualifiers is None or self._services is None:
            raise ValueError("smokkelradar_documents is not initialized")
        state = analysis_of(doc)
        tokens, active, words, known = state.tokens, state.gate, state.words, state.candidates
        hits = self._documents.match(tokens, active, words, known)
        state.documents = list(dict.fromkeys(map(_PAYLOAD, hits)))
        state.document_ends = list(map(_LAST, hits))
        state.document_qualifiers = (
            values_in_order(self._qualifiers, tokens, active, words, known) if state.documents else []
        )
        state.services = values_in_order(self._services, tokens, active, words, known)
        return doc


@Language.factory("smokkelradar_documents", default_config={})
def make_document_tagger(nlp: Language, name: str) -> DocumentTagger:
    return DocumentTagger(name=name)
