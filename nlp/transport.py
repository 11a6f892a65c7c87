"""``smokkelradar_transport``: how the crossing is made (boat, truck, car, plane, train, on foot).

Keyword groups of ``transport.yaml``, slang included (بلم, لنج, "game", dunki, ጀልባ);
each means of transport is listed once, in the order first named.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from nlp.annotations import analysis_of
from nlp.documents import compile_groups, values_in_order
from nlp.resources import Resources
from nlp.terms import TermMatcher


class TransportTagger:
    def __init__(self, *, name: str = "smokkelradar_transport") -> None:
        self.name = name
        self._transport: TermMatcher[str] | None = None

    def initialize(
        self, get_examples: Any = None, *, nlp: Language | None = None, resources: Resources
    ) -> None:
        self._transport = compile_groups(resources, resources.vocab.transport)

    def __call__(self, doc: Doc) -> Doc:
        if self._transport is None:
            raise ValueError("smokkelradar_transport is not initialized")
        state = analysis_of(doc)
        state.transport = values_in_order(
            self._transport, state.tokens, state.gate, state.words, state.candidates
        )
        return doc


@Language.factory("smokkelradar_transport", default_config={})
def make_transport_tagger(nlp: Language, name: str) -> TransportTagger:
    return TransportTagger(name=name)
