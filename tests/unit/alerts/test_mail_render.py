"""Alert mails: subject with name and count, both languages, escaped advert text with highlights,
no remote content, and the advert's details as the MDT reads them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest

from alerts.advert_view import view_of
from alerts.compose import POSSIBLE_DUPLICATE_HEADER, compose, flag_possible_duplicate
from alerts.wording import WORDING

DOC: dict[str, Any] = {
    "advert_id": "demo-forum:42",
    "source": "demo-forum",
    "url": "https://forum.example/t/42",
    "text": 'Boat <img src="http://x.example/p.png" onerror="alert(1)"> to Italy\nبلم من ليبيا',
    "title": "Boat trip",
    "language": "en",
    "route": {"origin": "LY", "transit": ["TN"], "destination": "IT"},
    "prices": [{"amount": 3000, "currency": "LYD", "eur": 570, "kind": "per_person"}],
    "documents": ["residence_permit"],
    "transport": ["boat"],
    "phones": [{"e164": "+218912345678"}],
    "handles": [{"platform": "telegram", "value": "boza_express"}],
    "posted_at": "2026-01-15T09:30:00Z",
    "cluster": {"id": "c1", "repost_count": 3},
    "score": 0.87,
    "evidence": [{"kind": "warc", "path": "warc/42.warc.gz", "sha256": "f" * 64}],
}


def _message(language: str, doc: dict[str, Any] | None = DOC) -> EmailMessage:
    view = view_of("d42", doc, {"text": ((0, 4),)}, language=language, timezone="Europe/Amsterdam")
    composed = compose(
        search_name="sea", description="", adverts=[view, view] if doc else [view], language=language,
        sender="radar@mdt.example", recipients=["mdt@mdt.example", "b@mdt.example"],
        at=datetime(2026, 1, 15, 12, 0, tzinfo=UTC), timezone="Europe/Amsterdam",
    )  # fmt: skip
    message = message_from_bytes(composed.body, policy=default)
    assert isinstance(message, EmailMessage)
    assert message["Message-ID"] == composed.message_id
    return message


def _parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert isinstance(text, EmailMessage) and isinstance(html, EmailMessage)
    return str(text.get_content()), str(html.get_content())


@pytest.mark.parametrize(
    ("language", "subject", "label"),
    [
        ("nl", "smokkelradar [sea]: 2 nieuwe advertenties", "Herplaatsingen"),
        ("en", "smokkelradar [sea]: 2 new adverts", "Reposts"),
    ],
)
def test_subject_and_labels_in_the_search_language(language: str, subject: str, label: str) -> None:
    message = _message(language)
    assert message["Subject"] == subject
    assert message["To"] == "mdt@mdt.example, b@mdt.example"
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = _parts(message)
    assert label in text and label in html


def test_advert_details_in_both_parts() -> None:
    text, html = _parts(_message("nl"))
    for part in (text, html):
        assert "LY → TN → IT" in part
        assert "€ 570" in part and "LYD" in part and "3.000" in part and "per person" in part
        assert "residence permit" in part and "boat" in part
        assert "+218912345678" in part and "telegram: boza_express" in part
        assert "demo-forum" in part and "2026-01-15 10:30 CET" in part
        assert "https://forum.example/t/42" in part and "f" * 64 in part
    assert "*Boat*" in text
    assert "Herplaatsingen: 3" in text


def test_advert_text_is_escaped_and_nothing_remote_is_loaded() -> None:
    _, html = _parts(_message("en"))
    assert '<mark style="' in html and ">Boat</mark>" in html
    assert "&lt;img src=&#34;http://x.example/p.png&#34; onerror=&#34;alert(1)&#34;&gt;" in html
    lowered = html.lower()
    for forbidden in ("<img", "<script", "<link", "<style", "<iframe", "javascript:"):
        assert forbidden not in lowered
    assert re.search(r"<[^>]*\s(src|background|on[a-z]+)=", lowered) is None  # no tag loads or runs anything
    assert 'dir="auto"' in html  # right-to-left text keeps its direction


def test_only_http_links_from_an_advert() -> None:
    _, html = _parts(_message("en", {**DOC, "url": "javascript:alert(1)"}))
    assert "javascript:" not in html


def test_an_advert_gone_from_the_index_is_still_listed() -> None:
    text, _ = _parts(_message("en", None))
    assert "d42: This advert is no longer in the index" in text


def test_possible_duplicate_flag_is_a_header() -> None:
    view = view_of("d1", DOC, {}, language="en", timezone="Europe/Amsterdam")
    at = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    composed = compose(
        search_name="sea", description="", adverts=[view], language="en", sender="r@m.example",
        recipients=["mdt@m.example"], at=at, timezone="Europe/Amsterdam",
    )  # fmt: skip
    flagged = message_from_bytes(flag_possible_duplicate(composed.body, at), policy=default)
    assert str(flagged[POSSIBLE_DUPLICATE_HEADER]).startswith(
        "yes; interrupted attempt at 2026-01-15T12:00:00"
    )
    assert flagged["Message-ID"] == composed.message_id


def test_wording_tables_have_the_same_keys() -> None:
    assert set(WORDING["nl"]) == set(WORDING["en"])
