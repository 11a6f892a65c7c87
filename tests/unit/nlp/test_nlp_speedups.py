"""The enrichment's speed-ups must not change what it reads: each is compared with the slow way.

- the pipeline's tokenizer drops three whitespace special cases (so spaCy can cache): its tokens
  must be those of spaCy's own ``xx`` tokenizer, byte for byte;
- components read their state from ``doc.user_data`` directly: it must be what ``doc._.radar``
  holds, the public way;
- matchers take the advert's word list once (``Analysis.words``): the same hits as without it;
- every matcher of the pipeline looks an advert's words up once, in one shared ``WordIndex``
  (``Analysis.candidates``): the same hits as each matcher looking them up on its own;
- ``enrich_texts`` keeps each advert's text beside its ``Doc``: the same text spaCy rebuilds.
"""

from __future__ import annotations

import spacy
from spacy.language import Language

from nlp.annotations import _RADAR_KEY, analysis_of, keep_text, text_of
from nlp.evaluation import advert_text, load_corpus
from nlp.terms import WordIndex

# Line breaks, tabs, runs of spaces, no-break spaces, and special cases next to them
# (emoticons, the em dash, abbreviations), which decide whether spaCy's tokenizer caches a chunk.
_AWKWARD = [
    "title\nbody",
    "a\n\nb\n\n\nc",
    "\n",
    "  ",
    " \t\n lead and trail \n",
    "tab\tseparated\t\tcolumns",
    "7\xa0000 € and x \xa0 y",
    "\xa0",
    "smile :) then\n:)\n",
    "p. 3 — ok\n—\n'",
    "\\n literal \\t",
    "line\r\nwindows\u2028sep\u2029para",
    "رحلة من زوارة\nالسعر 3500 يورو",
    "🇱🇾➡️🇮🇹\n\n0 9 1 2 3 4 5 6 7",
]


def _texts() -> list[str]:
    return _AWKWARD + [advert_text(entry) for entry in load_corpus()]


def test_pipeline_tokens_are_spacys_own(nlp: Language) -> None:
    reference = spacy.blank("xx").tokenizer
    assert len(nlp.tokenizer.rules) < len(reference.rules)  # type: ignore[attr-defined]
    texts = _texts()
    for _ in range(2):  # the second round is answered from the tokenizer's cache
        different = [
            text[:40]
            for text in texts
            if nlp.make_doc(text).to_bytes(exclude=["user_data"])
            != reference(text).to_bytes(exclude=["user_data"])
        ]
        assert different == []


def test_state_is_read_where_spacy_keeps_the_extension(nlp: Language) -> None:
    doc = nlp("Libya to Italy, 3000 euro, WhatsApp +218 91 330 7452")
    assert doc.user_data.get(_RADAR_KEY) is doc._.radar  # type: ignore[call-overload]
    assert analysis_of(doc) is doc._.radar


def test_matchers_give_the_same_hits_with_the_word_list(nlp: Language) -> None:
    places = nlp.get_pipe("smokkelradar_places")
    names = places._names  # type: ignore[attr-defined]
    compared = 0
    for doc in nlp.pipe(_texts()):
        state = analysis_of(doc)
        assert state.words == [token.text for token in state.tokens]
        with_words = names.match(state.tokens, state.gate, state.words)
        assert with_words == names.match(state.tokens, state.gate)
        compared += len(with_words)
    assert compared > 500


def test_the_shared_word_index_gives_every_matcher_its_own_hits(nlp: Language) -> None:
    index = nlp.get_pipe("smokkelradar_normalize")._index  # type: ignore[attr-defined]
    matchers = index._matchers
    assert len(matchers) >= 10  # places (3), documents (3), transport, prices (2), contacts, relevance
    compared = 0
    for doc in nlp.pipe(_texts()):
        state = analysis_of(doc)
        assert state.candidates is not None and state.candidates.owner is index
        for matcher in matchers:
            shared = matcher.match(state.tokens, state.gate, state.words, state.candidates)
            assert shared == matcher.match(state.tokens, state.gate, state.words)
            compared += len(shared)
    assert compared > 2000


def test_candidates_of_another_index_are_not_used(nlp: Language) -> None:
    """A matcher handed another pipeline's candidates looks the words up itself."""
    names = nlp.get_pipe("smokkelradar_places")._names  # type: ignore[attr-defined]
    state = analysis_of(nlp("من ليبيا إلى إيطاليا 3000 يورو"))
    foreign = WordIndex().lookup(state.words)  # no matchers: nothing can start anywhere
    hits = names.match(state.tokens, state.gate, state.words, foreign)
    assert [hit.payload.country for hit in hits] == ["LY", "IT"]


def test_the_kept_text_is_the_text_spacy_rebuilds(nlp: Language) -> None:
    for text in _texts():
        doc = keep_text(nlp.make_doc(text), text)
        assert text_of(doc) == doc.text == text
    assert text_of(nlp.make_doc("not kept")) == "not kept"
