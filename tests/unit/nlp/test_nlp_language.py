"""Language identification: script analysis, telling letters, frequent words, langdetect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Enrich = Callable[[str], dict[str, Any]]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("رحلة جديدة من زوارة الى لامبيدوزا السعر 3500 يورو للشخص", "ar"),
        ("قیمت هر نفر ۳۵ میلیون تومان، تماس بگیرید", "fa"),
        ("له ترکیې څخه یونان ته لاره، بیه ۲۲۰۰ یورو", "ps"),
        ("ڕێگای تورکیا بۆ یۆنان بە بەلەم، نرخ ٣٠٠٠ دۆلار", "ckb"),
        ("ካብ ሊብያ ናብ ኢጣልያ ብጀልባ ደውሉ", "ti"),
        ("ከሊቢያ ወደ ጣሊያን ጀልባ አለ ይደውሉ", "am"),
        ("Tahriib Liibiya ilaa Talyaani, lacagta waa 3000$", "so"),
        ("Boat from Izmir to Lesbos tonight, 1500 euro per person", "en"),
        ("Passage vers l'Angleterre en camion, 2500€ par personne", "fr"),
        ("Overtocht naar Engeland met de vrachtwagen, prijs per persoon", "nl"),
        ("Pass + Visum, echt im System", "de"),
        ("Ventimiglia Francia in macchina stasera", "it"),
        ("Λέσβος με φουσκωτό, 1000€ το άτομο", "el"),
        ("Libya'dan İtalya'ya garantili geçiş, kişi başı 3500 €", "tr"),
    ],
)
def test_primary_language(enrich: Enrich, text: str, language: str) -> None:
    record = enrich(text)
    assert record["language"] == language
    assert 0.0 < record["language_confidence"] <= 1.0


def test_arabic_written_in_latin_letters_is_arabic(enrich: Enrich) -> None:
    assert enrich("3andna re7la jdida mn Sabratha l Italia, el se3r 2800 euro")["language"] == "ar"


def test_mixed_advert_lists_every_language_seen(enrich: Enrich) -> None:
    record = enrich(
        "رحلة من ليبيا الى ايطاليا السعر للشخص 3000 يورو مضمون\n"
        "Trip from Libya to Italy, the price is per person and we are safe"
    )
    assert record["language"] == "ar"
    assert "en" in record["languages"]


def test_no_letters_no_language(enrich: Enrich) -> None:
    record = enrich("🚤🚤 ➡️ 3500 €")
    assert record["language"] == "und"
    assert record["languages"] == []
