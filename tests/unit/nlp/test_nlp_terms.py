"""The affix-aware phrase matcher under every extractor."""

from __future__ import annotations

from nlp.terms import Gate, TermMatcher
from nlp.textfold import Folder
from radar.config.keywords import Normalization

FOLDER = Folder(Normalization(fold={"ی": "ي"}))


def matcher(**kwargs: object) -> TermMatcher[str]:
    found: TermMatcher[str] = TermMatcher(FOLDER, **kwargs)  # type: ignore[arg-type]
    return found


def words(text: str) -> list[str]:
    return [t.text for t in FOLDER.tokenize(FOLDER.fold(text).text)]


def test_longest_phrase_wins_and_hits_do_not_overlap() -> None:
    terms = matcher()
    terms.add("visa", "visa")
    terms.add("schengen visa", "schengen_visa")
    hits = terms.match(FOLDER.tokenize(FOLDER.fold("Schengen visa and visa").text))
    assert [h.payload for h in hits] == ["schengen_visa", "visa"]


def test_prefix_and_suffix_are_stripped_and_reported() -> None:
    terms = matcher(prefixes=["ل", "ب"], suffixes=["'dan", "dan"])
    terms.add("ايطاليا", "IT")
    terms.add("libya", "LY")
    tokens = FOLDER.tokenize(FOLDER.fold("لايطاليا libya'dan libyadan").text)
    found = [(h.payload, h.prefix, h.suffix) for h in terms.match(tokens)]
    assert found == [("IT", "ل", ""), ("LY", "", "'dan"), ("LY", "", "dan")]


def test_latin_words_are_gated_by_language() -> None:
    terms = matcher(gated_languages=frozenset({"nl", "en"}))
    terms.add("van", "car", "en")
    tokens = FOLDER.tokenize("van")
    assert terms.match(tokens, Gate(frozenset({"nl"}), open_latin=False)) == []
    assert len(terms.match(tokens, Gate(frozenset({"en"}), open_latin=False))) == 1
    assert len(terms.match(tokens, Gate(frozenset({"ar"}), open_latin=True))) == 1  # code-switching


def test_strict_names_only_in_their_language() -> None:
    terms = matcher()
    terms.add_folded(("ليبي",), "LY", "fa", strict=True)
    tokens = FOLDER.tokenize(FOLDER.fold("ليبي").text)
    assert terms.match(tokens, Gate(frozenset({"ar"}), open_latin=True)) == []
    assert len(terms.match(tokens, Gate(frozenset({"fa"}), open_latin=True))) == 1


def test_tokens_split_digits_from_letters() -> None:
    assert words("ከ1800 5k€") == ["ከ", "1800", "5", "k", "€"]
