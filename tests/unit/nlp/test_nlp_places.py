"""Places, their roles and the route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Enrich = Callable[[str], dict[str, Any]]


def roles(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(p["text"], p["country"], p["role"]) for p in record["places"]]


def test_flags_and_arrows_make_a_route(enrich: Enrich) -> None:
    record = enrich("🇱🇾➡️🇮🇹 رحلة جديدة")
    assert record["route"] == {"origin": "LY", "transit": [], "destination": "IT"}
    assert roles(record) == [("🇱🇾", "LY", "origin"), ("🇮🇹", "IT", "destination")]


def test_arrow_chain_gives_transit_countries(enrich: Enrich) -> None:
    record = enrich("Istanbul → Thessaloniki → Belgrade → Vienna")
    assert record["route"] == {"origin": "TR", "transit": ["GR", "RS"], "destination": "AT"}


def test_arabic_proclitics_give_roles_and_stay_outside_the_name(enrich: Enrich) -> None:
    record = enrich("رحلة من زوارة لإيطاليا")
    assert record["route"]["origin"] == "LY"
    assert record["route"]["destination"] == "IT"
    assert ("إيطاليا", "IT", "destination") in roles(record)


def test_turkish_case_suffixes_give_roles(enrich: Enrich) -> None:
    record = enrich("Libya'dan İtalya'ya garantili geçiş, kişi başı 3500 €")
    assert record["route"] == {"origin": "LY", "transit": [], "destination": "IT"}
    assert roles(record) == [("Libya", "LY", "origin"), ("İtalya", "IT", "destination")]
    # Without the apostrophe, and a later leg making Italy a stage.
    onward = enrich("Libyadan Italyaya, sonra Almanyaya")
    assert onward["route"] == {"origin": "LY", "transit": ["IT"], "destination": "DE"}


def test_a_later_leg_turns_the_first_destination_into_transit(enrich: Enrich) -> None:
    record = enrich("طريق من اربيل الى تركيا وبعدها اليونان")
    assert record["route"] == {"origin": "IQ", "transit": ["TR"], "destination": "GR"}


def test_place_of_delivery_is_not_on_the_route(enrich: Enrich) -> None:
    record = enrich("Greek passport, real in the system. Delivery in Istanbul")
    assert record["route"] == {"origin": None, "transit": [], "destination": None}
    assert ("Istanbul", "TR", "none") in roles(record)


def test_places_carry_coordinates(enrich: Enrich) -> None:
    place = enrich("boat from Zuwara")["places"][0]
    assert place["country"] == "LY"
    assert 32 < place["lat"] < 33.5
    assert 11.5 < place["lon"] < 12.5


def test_greek_case_forms_are_found(enrich: Enrich) -> None:
    record = enrich("Πέρασμα Έβρου και μετά για Ιταλίας")
    assert {p["country"] for p in record["places"]} == {"GR", "IT"}


def test_common_words_are_not_places(enrich: Enrich) -> None:
    # "van" is Dutch for "from", "nice" an English word, "kali" Somali: none is a place here.
    assert enrich("Een lift van de man, nice and kali")["places"] == []


def test_names_inside_addresses_and_handles_are_not_places(enrich: Enrich) -> None:
    record = enrich("جوازات كندية للتواصل jawazat.canada.h@protonmail.com او t.me/samos_tariq")
    assert record["places"] == []
