"""The taggers' speed-ups must not change what they find: each is compared with the plain way.

- the amount and phone-candidate patterns start with a character class (so the regex engine can
  skip to the next digit): the same matches as the patterns they replace, written with a leading
  look-behind;
- places scans for links and addresses only in the runs of non-space characters that can hold one:
  the same spans as scanning the whole text;
- a word that starts many phrases looks its phrases up by their second word: the same hits as
  trying them one by one;
- ``enrich_texts`` makes no span groups for Docs it only turns into records (``for_record``): the
  same records as a Doc with span groups.
"""

from __future__ import annotations

import random
import re

import pytest
from spacy.language import Language

from nlp import terms
from nlp.amounts import _NUMBER_RE
from nlp.annotations import analysis_of, for_record, keep_text, wants_spans
from nlp.evaluation import advert_text, load_corpus
from nlp.phones import _CANDIDATE_RE, _SEPARATOR
from nlp.places import _NOT_PROSE_RE, _hidden_spans
from nlp.record import record_of

# The patterns as they were written before (a look-behind first).
_PLAIN_NUMBER_RE = re.compile(
    r"(?<![a-z\d.,])(?!0\d)(\d{1,3}(?:[.,' ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?![\d])"
)
_PLAIN_CANDIDATE_RE = re.compile(rf"(?<![\w+])(\+ ?)?\d(?:{_SEPARATOR}\d)+(?![\w])")

_AWKWARD = [
    "3500 € 3.500 3,5 3 500 ٣٬٥٠٠ +300€ +90 532 123 45 67 0912 345 678 a1 1a 1.2.3 ,5 .55",
    "09🔥25🔥71 00 218 91 330 7452 (091) 234-5678 0457/2016 09 / 21 33 12",
    "mail jawazat.canada.h@mail.com t.me/samos_boat www.visa-fast.net/x @abu_salem ok",
    "http://a.b/c?d=e&f, user@host @x.y/z a/b www.example.org nothing/here @ / www.",
    "ከ1800 5k€ 1,500,000 12.50 ١٢٣٤٥٦٧ 0 00 000 0,5 9,99",
]


def _corpus() -> list[str]:
    return _AWKWARD + [advert_text(entry) for entry in load_corpus()]


def _random_texts(alphabet: str, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 (reproducible test strings, not secrets)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16))) for _ in range(count)]


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)]


def test_the_number_pattern_matches_as_the_plain_one(nlp: Language) -> None:
    folder = nlp.get_pipe("smokkelradar_normalize")._folder  # type: ignore[attr-defined]
    texts = [folder.fold(text).text for text in _corpus()]
    texts += _random_texts("0123456789٣.,' +-ab€\n", 30_000, seed=3)
    for text in texts:
        plain = [(m.span(), m.group(1)) for m in _PLAIN_NUMBER_RE.finditer(text)]
        assert [(m.span(), m.group(1)) for m in _NUMBER_RE.finditer(text)] == plain, repr(text)


def test_the_phone_candidate_pattern_matches_as_the_plain_one(nlp: Language) -> None:
    folder = nlp.get_pipe("smokkelradar_normalize")._folder  # type: ignore[attr-defined]
    texts = [folder.fold(text).text for text in _corpus()]
    texts += _random_texts("0123456789٣. +-/a_🔥()\n|", 30_000, seed=4)
    for text in texts:
        assert _spans(_CANDIDATE_RE, text) == _spans(_PLAIN_CANDIDATE_RE, text), repr(text)


def test_hidden_spans_are_those_of_the_whole_text() -> None:
    texts = _corpus() + _random_texts("ab1 .@/w-+:_\n\t", 30_000, seed=5)
    texts += _random_texts("www.com/me@ a\n", 10_000, seed=6)
    for text in texts:
        folded = text.lower()
        assert _hidden_spans(folded) == _spans(_NOT_PROSE_RE, folded), repr(text)


def test_phrases_by_their_second_word_give_the_same_hits(
    nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = nlp.get_pipe("smokkelradar_places")._names  # type: ignore[attr-defined]
    assert any(len(group.multis) >= terms._INDEX_SECOND_WORDS for group in _all_groups(names))
    states = [analysis_of(doc) for doc in nlp.pipe(_corpus())]
    indexed = [names.match(s.tokens, s.gate, s.words, s.candidates) for s in states]
    monkeypatch.setattr(terms, "_INDEX_SECOND_WORDS", 10**9)  # every phrase tried in turn
    names._groups.clear()
    try:
        one_by_one = [names.match(s.tokens, s.gate, s.words, s.candidates) for s in states]
    finally:
        names._groups.clear()
    assert indexed == one_by_one
    assert sum(map(len, indexed)) > 500


def _all_groups(matcher: terms.TermMatcher[object]) -> list[terms._Group[object]]:
    return [matcher._group(stem) for stem in ("la", "al", "de", "a")]


def test_docs_made_for_their_record_get_no_span_groups_and_the_same_record(nlp: Language) -> None:
    text = "من ليبيا إلى إيطاليا 3000 يورو للشخص\nواتساب +218 91 330 7452"
    kept = next(iter(nlp.pipe([keep_text(nlp.make_doc(text), text)])))
    for_records = next(iter(nlp.pipe([for_record(nlp.make_doc(text), text)])))
    assert wants_spans(kept) and not wants_spans(for_records)
    assert {key: len(kept.spans[key]) for key in ("places", "prices", "phones")} == {
        "places": 2,
        "prices": 1,
        "phones": 1,
    }
    assert not any(key in for_records.spans for key in ("places", "prices", "phones"))
    assert record_of(for_records) == record_of(kept)
