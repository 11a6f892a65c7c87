"""Text from HTML keeps what officers read (line breaks, paragraphs, emoji); dates as written are read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lxml import html

from crawlers.dates import parse_posted
from crawlers.items import Advert, advert_id, canonical_url, text_sha256
from crawlers.text import element_text, html_fragment_text, normalized_for_hash, tidy_text

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LANGUAGES = ("ar", "fa", "ps", "ckb", "tr", "ti", "am", "so", "en", "fr", "nl", "de", "it", "el")


def test_line_breaks_paragraphs_and_emoji_survive() -> None:
    markup = (
        '<div class="post-body">\n<p>Daily trips 🚤 from <b>Zuwara</b><br>to Lampedusa</p>\n'
        "<p>3500 euro   per person<br/>WhatsApp 09<i class='emoji'><b>🔥</b></i>12</p>"
        "<script>var tracking = 1;</script><!-- a comment --></div>"
    )
    text = element_text(html.fromstring(markup))
    assert text == "Daily trips 🚤 from Zuwara\nto Lampedusa\n\n3500 euro per person\nWhatsApp 09🔥12"


def test_fragment_and_tidy() -> None:
    assert html_fragment_text("<p>a<br>b</p><p>c</p>") == "a\nb\n\nc"
    assert html_fragment_text("") == ""
    assert tidy_text("  a  b \n\n\n\n c ") == "a b\n\nc"


def test_hash_ignores_spacing_and_presentation_forms_only() -> None:
    assert normalized_for_hash(" Ｐrice\n 3000 ") == "Price 3000"
    assert text_sha256("price 3000\neuro") == text_sha256("price  3000 euro")
    assert text_sha256("price 3000 euro") != text_sha256("price 3500 euro")


def test_ids_are_stable_and_canonical() -> None:
    assert canonical_url("HTTP://Board.Example/ad?b=2&a=1#comments") == "http://board.example/ad?a=1&b=2"
    assert advert_id("demo-telegram", "boza_express/1423") == "demo-telegram:boza_express/1423"
    advert = Advert(
        id="s:x",
        source="s",
        kind="listing",
        url="http://x.example/",
        fetched_at=NOW,
        text="hello",
        details={"views": 3},
    )
    record = advert.record()
    assert record["fetched_at"] == "2026-11-28T12:00:00Z" and record["views"] == 3
    assert record["text_sha256"] == text_sha256("hello") and "capture" not in record


@pytest.mark.parametrize(
    ("written", "back"),
    [
        ("۳ روز پیش", timedelta(days=3)),
        ("منذ يومين", timedelta(days=2)),
        ("منذ 3 ساعات", timedelta(hours=3)),
        ("أمس", timedelta(days=1)),
        ("2 days ago", timedelta(days=2)),
        ("15 hours ago", timedelta(hours=15)),
        ("3 gün önce", timedelta(days=3)),
        ("il y a 4 jours", timedelta(days=4)),
        ("3 dagen geleden", timedelta(days=3)),
        ("vor 3 Tagen", timedelta(days=3)),
        ("2 giorni fa", timedelta(days=2)),
        ("πριν από 2 ημέρες", timedelta(days=2)),
        ("ከ3 ቀን በፊት", timedelta(days=3)),
        ("ቅድሚ 2 መዓልቲ", timedelta(days=2)),
        ("۲ ورځې مخکې", timedelta(days=2)),
        # dateparser lacks these: Sorani Kurdish and Somali, from our own table.
        ("٢ ڕۆژ لەمەوبەر", timedelta(days=2)),
        ("دوێنێ", timedelta(days=1)),
        ("4 maalmood ka hor", timedelta(days=4)),
    ],
)
def test_relative_dates(written: str, back: timedelta) -> None:
    assert parse_posted(written, LANGUAGES, NOW) == NOW - back


@pytest.mark.parametrize(
    ("written", "moment"),
    [
        ("2026-10-03T14:20:00Z", datetime(2026, 10, 3, 14, 20, tzinfo=UTC)),
        ("2026-10-03T16:20:00+02:00", datetime(2026, 10, 3, 14, 20, tzinfo=UTC)),
        ("Sat, 03 Oct 2026 14:20:00 GMT", datetime(2026, 10, 3, 14, 20, tzinfo=UTC)),
        ("03 Oct 2026, 14:20", datetime(2026, 10, 3, 14, 20, tzinfo=UTC)),
        ("dün 10:00", datetime(2026, 11, 27, 10, 0, tzinfo=UTC)),
    ],
)
def test_absolute_dates(written: str, moment: datetime) -> None:
    assert parse_posted(written, LANGUAGES, NOW) == moment


def test_unreadable_dates_are_none() -> None:
    assert parse_posted(None, LANGUAGES, NOW) is None
    assert parse_posted("   ", LANGUAGES, NOW) is None
    assert parse_posted("call now for prices", LANGUAGES, NOW) is None
