"""Two per-word speed-ups of the enrichment must not change what is found; each is compared with
the plain way:

- ``ArrayDetector`` takes a text's n-grams word by word (``_WordGrams``, worked out once per word):
  the same list, in the same order, as langdetect's own ``Detector._extract_ngrams``;
- ``TermMatcher._work_out`` answers a word no prefix or suffix fits without ``_stems`` and
  ``_suffixed``: the same answer as going through them.
"""

from __future__ import annotations

import random
from typing import Any

from langdetect.detector import Detector
from langdetect.detector_factory import init_factory
from spacy.language import Language

from nlp import terms
from nlp.annotations import analysis_of
from nlp.evaluation import advert_text, load_corpus
from nlp.fast_langdetect import ArrayDetector

# Capitals after capitals, spaces doubled and at the ends, letters langdetect rewrites (Romanian
# ș ț, Vietnamese, Farsi yeh, kana, Hangul), punctuation it turns into spaces, digits.
_AWKWARD = [
    "",
    " ",
    "  a  ",
    "NATO en de EU. Abc ABC aBC AbC",
    "Ș ț Ạ ế ی ي あ ア ㄅ 中 가 \u2019 \u3000 x",
    "I A b  c\n\td-e_f",
    "12 34 €€ !! ok",
    "OK",
    "Ok ",
]


def _texts() -> list[str]:
    texts = _AWKWARD + [advert_text(entry) for entry in load_corpus()]
    rng = random.Random(7)  # noqa: S311 (reproducible test strings, not secrets)
    alphabet = "aAbBzZ  .,éÉÀßİIıیيۀ\n\t-șțạếあア中가\u2019\u30001"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    texts += ["".join(chr(rng.randint(1, 0x3000)) for _ in range(rng.randint(0, 30))) for _ in range(1000)]
    return texts


def _ngrams(detector_class: Any, factory: Any, text: str) -> list[str]:
    detector = detector_class(factory)
    detector.append(text)
    detector.cleaning_text()
    return detector._extract_ngrams()  # type: ignore[no-any-return]


def test_the_word_by_word_ngrams_are_langdetects() -> None:
    from langdetect import detector_factory

    init_factory()
    factory = detector_factory._factory
    texts = _texts()
    differences = [
        text[:60]
        for text in texts
        if _ngrams(Detector, factory, text) != _ngrams(ArrayDetector, factory, text)
    ]
    assert sum(bool(_ngrams(Detector, factory, text)) for text in texts) > 3000  # n-grams were compared
    assert differences == []


def _plain_work_out(matcher: terms.TermMatcher[Any], word: str) -> Any:
    """``_work_out`` without its short cut: through ``_stems``, ``_lookups`` and ``_suffixed``."""
    if word[:1] not in matcher._first_letters:
        return terms._NOTHING
    stems = matcher._stems(word)
    lookups, suffixed = matcher._lookups(stems), matcher._suffixed(stems)
    return (lookups, suffixed) if lookups or suffixed else terms._NOTHING


def test_a_word_without_affixes_is_worked_out_as_the_plain_way(nlp: Language) -> None:
    index = analysis_of(nlp(advert_text(load_corpus()[0]))).candidates
    assert index is not None
    matchers = index.owner._matchers
    words = {"1234", "0031", "libya'dan", "بالیونان", "اليونانی", "x"}
    for entry in load_corpus():
        words.update(analysis_of(nlp(advert_text(entry))).words)
    short_cut = 0
    for matcher in matchers:
        for word in sorted(words):
            plain = _plain_work_out(matcher, word)
            assert matcher._work_out(word) == plain, word
            short_cut += plain is not terms._NOTHING and len(matcher._stems(word)) == 1
    assert len(matchers) > 5
    assert short_cut > 100  # words the short cut answers that do start keywords
