"""The enrichment's speed-ups must not change what it reads: each is compared with the slow way.

- the pipeline's tokenizer drops three whitespace special cases (so spaCy can cache): its tokens
  must be those of spaCy's own ``xx`` tokenizer, byte for byte;
- components read their state from ``doc.user_data`` directly: it must be what ``doc._.radar``
  holds, the public way;
- matchers take the advert's word list once (``Analysis.words``): the same hits as without it;
- every matcher of the pipeline looks an advert's words up once, in one shared ``WordIndex``
  (``Analysis.candidates``): the same hits as each matcher looking them up on its own;
- ``enrich_texts`` keeps each advert's text beside its ``Doc``: the same text spaCy rebuilds;
- ``enrich_texts`` does not tokenize (no component reads spaCy's tokens for the record): its records
  must be those of ``nlp(text)``, which does;
- langdetect's picks are read from the seeded generator's word stream: the same picks, and the
  generator left where ``random.choice`` would leave it.
"""

from __future__ import annotations

import random

import numpy as np
import spacy
from spacy.language import Language

from nlp.annotations import _RADAR_KEY, _keys_are_spacys, analysis_of, keep_text, text_of
from nlp.enrich import enrich_texts
from nlp.evaluation import advert_text, load_corpus
from nlp.fast_langdetect import _Picks, _WordStream
from nlp.record import record_of
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
    assert _keys_are_spacys()  # this spaCy keeps extensions where nlp.annotations reads them directly
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


def test_truncation_set_the_public_way_is_read(nlp: Language) -> None:
    """The normalizer reads ``doc._.truncated`` where spaCy keeps it, in ``doc.user_data``."""
    doc = nlp.make_doc("Libya to Italy, 3000 euro")
    assert analysis_of(nlp.get_pipe("smokkelradar_normalize")(doc)).truncated is False
    doc = nlp.make_doc("Libya to Italy, 3000 euro")
    doc._.truncated = True
    assert analysis_of(nlp.get_pipe("smokkelradar_normalize")(doc)).truncated is True


def test_the_kept_text_is_the_text_spacy_rebuilds(nlp: Language) -> None:
    for text in _texts():
        doc = keep_text(nlp.make_doc(text), text)
        assert text_of(doc) == doc.text == text
    assert text_of(nlp.make_doc("not kept")) == "not kept"


def test_records_without_spacys_tokens_are_those_of_a_tokenized_doc(nlp: Language) -> None:
    texts = _texts()
    docs = list(nlp.pipe(texts))
    assert sum(len(doc) for doc in docs) > 10_000  # nlp.pipe tokenizes
    tokenized = [record_of(doc) for doc in docs]
    for batch_size in (256, 7):
        records = list(
            enrich_texts(nlp, ({"id": n, "text": t} for n, t in enumerate(texts)), batch_size=batch_size)
        )
        untokenized = [{k: v for k, v in r.items() if k not in ("id", "keywords_version")} for r in records]
        assert untokenized == tokenized
    assert sum(len(r["places"]) + len(r["prices"]) + len(r["phones"]) for r in tokenized) > 1000


def test_langdetect_picks_are_the_generators_own() -> None:
    stream = _WordStream(0)
    for count in (1, 2, 3, 7, 300, 1024, 5000):
        picks = _Picks(stream, np.arange(count))
        picks.ensure(7000)  # a detection uses at most 7 trials of 1,001 picks; this crosses chunks
        generator = random.Random(0)  # noqa: S311 (langdetect's generator, not a secret)
        assert picks.rows[:7000].tolist() == [generator._randbelow(count) for _ in range(7000)]
        skipped = random.Random(0)  # noqa: S311 (the same)
        skipped.getrandbits(32 * (int(picks.positions[6999]) + 1))  # how the detector moves its generator
        assert skipped.random() == generator.random()
        assert picks.first_at(int(picks.positions[10]) + 1) == 11
