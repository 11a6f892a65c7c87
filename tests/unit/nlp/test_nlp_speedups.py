"""The enrichment's speed-ups must not change what it reads: each is compared with the slow way.

- the pipeline's tokenizer drops three whitespace special cases (so spaCy can cache): its tokens
  must be those of spaCy's own ``xx`` tokenizer, byte for byte;
- components read their state from ``doc.user_data`` directly: it must be what ``doc._.radar``
  holds, the public way;
- matchers take the advert's word list once (``Analysis.words``): the same hits as without it.
"""

from __future__ import annotations

import spacy
from spacy.language import Language

from nlp.annotations import _RADAR_KEY, analysis_of
from nlp.evaluation import advert_text, load_corpus

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
