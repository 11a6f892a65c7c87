"""Folding: what the matchers see, and the way back to the characters as written."""

from __future__ import annotations

import pytest
from spacy.language import Language

from nlp.textfold import Folded, Folder
from radar.config.keywords import Normalization


@pytest.fixture(scope="module")
def folder(nlp: Language) -> Folder:
    return nlp.get_pipe("smokkelradar_normalize")._folder  # type: ignore[attr-defined, no-any-return]


def original(text: str, folded: Folded, needle: str) -> str:
    """The original characters behind the first occurrence of ``needle`` in the folded text."""
    start = folded.text.index(needle)
    begin, end = folded.original_span(start, start + len(needle))
    return text[begin:end]


def test_eastern_and_persian_digits_become_ascii(folder: Folder) -> None:
    assert folder.fold("٣٥٠٠ يورو و ۴۵۰۰ یورو").text == "3500 يورو و 4500 يورو"


def test_letter_variants_tatweel_and_diacritics_are_unified(folder: Folder) -> None:
    # Persian ye/kaf, alef with hamza, ta marbuta, tatweel and harakat fold to one spelling.
    assert folder.fold("إيطاليا").text == folder.fold("ايطاليا").text
    assert folder.fold("ترکیه").text == folder.fold("تركيه").text
    assert folder.fold("رحـــلة مُضْمُونَة").text == "رحله مضمونه"


def test_latin_accents_and_case_are_folded(folder: Folder) -> None:
    assert folder.fold("İzmir'den GEÇİŞ Passeport Sécurisé").text == "izmir'den gecis passeport securise"


def test_spaced_and_dotted_letters_and_digits_are_joined(folder: Folder) -> None:
    assert "whatsapp" in folder.fold("call w.h.a.t.s.a.p.p now").text
    assert "0905321234" in folder.fold("tel 0 9 0 5 3 2 1 2 3 4").text
    assert "telegram" in folder.fold("t e l e g r a m").text


def test_direction_marks_and_joiners_are_removed(folder: Folder) -> None:
    assert folder.fold("\u200f+90\u200e 532\u200c").text == "+90 532"


def test_offsets_lead_back_to_the_original_text(folder: Folder) -> None:
    text = "🇱🇾 رحـــلة من زوارة\u200f ٣٥٠٠ يورو w.h.a.t.s.a.p.p ﻻ"
    folded = folder.fold(text)
    assert original(text, folded, "زواره") == "زوارة"
    assert original(text, folded, "3500") == "٣٥٠٠"
    assert original(text, folded, "رحله") == "رحـــلة"
    assert original(text, folded, "whatsapp") == "w.h.a.t.s.a.p.p"
    assert original(text, folded, "لا") == "ﻻ"  # one presentation-form ligature folds to two letters


def test_identity_offsets_when_nothing_changes_length(folder: Folder) -> None:
    folded = folder.fold("plain text 123")
    assert folded.starts == tuple(range(len("plain text 123")))


def test_elisions_split_but_turkish_endings_stay(folder: Folder) -> None:
    words = [t.text for t in folder.tokenize(folder.fold("l'Italie d'avance Libya'dan").text)]
    assert words == ["l'", "italie", "d'", "avance", "libya'dan"]


def test_single_character_keys_are_enforced() -> None:
    with pytest.raises(ValueError, match="not a single character"):
        Normalization(fold={"ab": "c"})
