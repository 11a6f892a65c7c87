"""Bad input never crashes, never drops an advert, and stays bounded (truncated, not slow)."""

from __future__ import annotations

from typing import Any

from spacy.language import Language

from nlp import RECORD_FIELDS, enrich_texts


def run(nlp: Language, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(enrich_texts(nlp, records, batch_size=3))


def test_every_kind_of_bad_text_gets_a_full_record(nlp: Language) -> None:
    texts: list[Any] = [
        "",
        "🚤🚤🚤🇱🇾➡️🇮🇹💯🔥",
        "\u200f\u200e\u202b\u202c\u2066",
        "boat \ud83d to Italy \udc00 3500 €",  # lone surrogates
        "ليبيا Libya ሊብያ Λιβύη Ливия 🇱🇾 3500€",
        None,
        12345,
        "\x00\x01\x02 \t\n\n\n",
        "٣٥٠٠" * 500 + "€",
    ]
    out = run(nlp, [{"id": i, "text": text} for i, text in enumerate(texts)])
    assert [record["id"] for record in out] == list(range(len(texts)))
    for record in out:
        assert set(RECORD_FIELDS) <= set(record)
        assert record["truncated"] is False


def test_lone_surrogates_keep_offsets_true(nlp: Language) -> None:
    text = "a\ud83d boat to Italy 3500 €"
    record = run(nlp, [{"id": 1, "text": text}])[0]
    price = record["prices"][0]
    assert text[price["start"] : price["end"]] == "3500"


def test_a_megabyte_is_truncated(nlp: Language) -> None:
    text = ("boat from Zuwara to Lampedusa 3500 euro whatsapp +218 91 330 7452 " * 16_000)[:1_000_000]
    record = run(nlp, [{"id": "big", "text": text}])[0]
    assert record["truncated"] is True
    assert record["route"] == {"origin": "LY", "transit": [], "destination": "IT"}


def test_extra_fields_pass_through_and_enrichment_wins_clashes(nlp: Language) -> None:
    record = run(nlp, [{"id": 7, "text": "boat", "source": "forum", "language": "xx"}])[0]
    assert record["source"] == "forum"
    assert record["language"] != "xx"
    assert "text" not in record


def test_records_follow_input_order_across_batches(nlp: Language) -> None:
    records = [{"id": i, "text": f"advert {i} boat 15{i}0 €"} for i in range(10)]
    assert [r["id"] for r in run(nlp, records)] == list(range(10))
