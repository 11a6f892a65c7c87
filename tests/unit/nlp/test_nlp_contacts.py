"""Contacts: phones in E.164, handles, e-mail addresses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Enrich = Callable[[str], dict[str, Any]]


def phones(record: dict[str, Any]) -> list[str]:
    return [p["e164"] for p in record["phones"]]


def test_international_number(enrich: Enrich) -> None:
    record = enrich("WhatsApp: +90 534 721 98 63")
    assert phones(record) == ["+905347219863"]
    assert record["phones"][0]["region"] == "TR"


def test_eastern_digit_national_number_takes_the_region_of_the_route(enrich: Enrich) -> None:
    assert phones(enrich("السفر من الخرطوم الى ليبيا، اتصل ٠٩١٢٣٨٤٧٥٦")) == ["+249912384756"]
    assert phones(enrich("رحلة من زوارة لإيطاليا، واتساب ٠٩١٣٣٠٧٤٥٢")) == ["+218913307452"]


def test_national_number_takes_the_region_of_the_language(enrich: Enrich) -> None:
    assert phones(enrich("Schreib mir: 0176 5528 3901")) == ["+4917655283901"]


def test_obfuscated_numbers(enrich: Enrich) -> None:
    assert phones(enrich("tel 0 5 4 1 7 7 8 3 2 0 9 (sadece whatsapp)")) == ["+905417783209"]
    assert phones(enrich("رقمي 09🔥25🔥71🔥83🔥64 ليبيا")) == ["+218925718364"]
    assert phones(enrich("📲 w.h.a.t.s.a.p.p + 4 4 7 4 5 8 1 0 2 9 3 7")) == ["+447458102937"]
    assert phones(enrich("Kontakt: null-eins-fünf-sieben / 3 8 . 4 4 . 0 2 . 1 9")) == ["+4915738440219"]


def test_double_zero_prefix(enrich: Enrich) -> None:
    assert phones(enrich("tawasol whatsapp: 00381 63 418 275")) == ["+38163418275"]


def test_phone_offsets_cover_the_number_as_written(enrich: Enrich) -> None:
    text = "اتصل ٠٩١٢٣٨٤٧٥٦ من الخرطوم"
    phone = enrich(text)["phones"][0]
    assert text[phone["start"] : phone["end"]] == "٠٩١٢٣٨٤٧٥٦"


def test_handles(enrich: Enrich) -> None:
    record = enrich(
        "Telegram: @boza_express | t.me/docs_vip\n"
        "Contact on Signal only: moro_tarifa.22\n"
        "insta: @safar.ams.vip"
    )
    assert record["handles"] == [
        {"platform": "telegram", "value": "docs_vip"},
        {"platform": "telegram", "value": "boza_express"},
        {"platform": "instagram", "value": "safar.ams.vip"},
        {"platform": "signal", "value": "moro_tarifa.22"},
    ]


def test_whatsapp_number_is_a_phone_not_a_handle(enrich: Enrich) -> None:
    record = enrich("whatsapp +218 92 648 1735")
    assert record["handles"] == []
    assert phones(record) == ["+218926481735"]


def test_emails_are_not_handles(enrich: Enrich) -> None:
    record = enrich("Email: Docs.Registered@Gmail.com")
    assert record["emails"] == ["docs.registered@gmail.com"]
    assert record["handles"] == []
