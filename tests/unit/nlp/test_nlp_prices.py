"""Prices: amounts, currencies, kinds and the euro value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Enrich = Callable[[str], dict[str, Any]]


def prices(record: dict[str, Any]) -> list[tuple[float, str, str]]:
    return [(p["amount"], p["currency"], p["kind"]) for p in record["prices"]]


def test_shorthand_with_decimal(enrich: Enrich) -> None:
    record = enrich("Bodrum to Kos, VIP yacht 3.5k€ per person")
    assert prices(record) == [(3500, "EUR", "per_person")]
    assert record["prices"][0]["eur"] == 3500


def test_eastern_digits_with_multiplier_word(enrich: Enrich) -> None:
    record = enrich("اللوري: ٣ آلاف باوند مضمون")
    assert [(p["amount"], p["currency"]) for p in record["prices"]] == [(3000, "GBP")]


def test_number_in_words(enrich: Enrich) -> None:
    assert prices(enrich("السعر ثلاثة آلاف وخمسمية دولار"))[0][:2] == (3500, "USD")
    assert prices(enrich("هزینه ۴ هزار و پانصد یورو"))[0][:2] == (4500, "EUR")
    assert prices(enrich("Prix : deux mille cinq cents euros par personne"))[0][:2] == (2500, "EUR")


def test_range_gives_both_ends_with_one_currency(enrich: Enrich) -> None:
    amounts = [(p["amount"], p["currency"]) for p in enrich("Preis 3-4k € je nach Boot")["prices"]]
    assert amounts == [(3000, "EUR"), (4000, "EUR")]
    arabic = [(p["amount"], p["currency"]) for p in enrich("السعر: 9 آلاف إلى 11 ألف يورو")["prices"]]
    assert arabic == [(9000, "EUR"), (11000, "EUR")]


def test_separators_of_thousands(enrich: Enrich) -> None:
    record = enrich("Preis 2.500 € p.P., Gruppe 12 000 €, Kind ٣٬٠٠٠ €")
    assert [p["amount"] for p in record["prices"]] == [2500, 12000, 3000]


def test_kind_cues(enrich: Enrich) -> None:
    record = enrich("Total price 9000 euro per person, deposit 1000 euro")
    assert prices(record) == [(9000, "EUR", "per_person"), (1000, "EUR", "deposit")]


def test_toman_is_counted_in_rial(enrich: Enrich) -> None:
    price = enrich("قیمت هر نفر ۳۵ میلیون تومان")["prices"][0]
    assert (price["amount"], price["currency"]) == (350_000_000, "IRR")
    assert price["eur"] is not None and 200 < price["eur"] < 2000


def test_shared_currency_word_follows_the_route(enrich: Enrich) -> None:
    libya = enrich("من طرابلس الى ايطاليا 5000 دينار")["prices"][0]["currency"]
    iraq = enrich("من اربيل الى تركيا 5000 دينار")["prices"][0]["currency"]
    assert (libya, iraq) == ("LYD", "IQD")


def test_offsets_point_at_the_amount_as_written(enrich: Enrich) -> None:
    text = "السعر ٣٥٠٠ يورو"
    price = enrich(text)["prices"][0]
    assert text[price["start"] : price["end"]] == "٣٥٠٠"


def test_phone_numbers_and_bare_numbers_are_not_prices(enrich: Enrich) -> None:
    assert enrich("5500€, tel +381 62 837 4019")["prices"] == [
        {"amount": 5500, "currency": "EUR", "eur": 5500.0, "kind": "unknown", "start": 0, "end": 4}
    ]
    assert enrich("2 nights walking, 10 people, 2019")["prices"] == []
