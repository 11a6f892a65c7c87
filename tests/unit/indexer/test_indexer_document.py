"""From a spooled item to the document: language copies, derived fields, nothing lost, bad shapes named."""

from __future__ import annotations

from typing import Any

import pytest

from indexer.document import BadItemError, ClusterInfo, advert_document, doc_id, with_language_fields

CLUSTER = ClusterInfo("c1", 2, "2026-10-01T10:00:00Z", "2026-10-05T10:00:00Z", ("a", "b"))


def item(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "demo-forum:https://forum.example/42",
        "source": "demo-forum",
        "kind": "listing",
        "url": "https://forum.example/42",
        "fetched_at": "2026-10-01T12:00:00+02:00",
        "posted_at": None,
        "title": "Passage vers l'Angleterre",
        "text": "Départ de Calais, 1500 € par personne, WhatsApp +33612345678",
        "views": 120,
        "enrichment": {
            "id": "ignored",
            "language": "fr",
            "languages": ["fr", "en", "ps"],
            "route": {"origin": "FR", "transit": [], "destination": "GB"},
            "places": [
                {
                    "text": "Calais",
                    "start": 10,
                    "end": 16,
                    "country": "FR",
                    "role": "origin",
                    "lat": 50.95,
                    "lon": 1.85,
                }
            ],
            "prices": [
                {"amount": 1500, "currency": "EUR", "eur": 1500, "kind": "per_person"},
                {"amount": 2000, "currency": "GBP", "eur": 2340, "kind": "total"},
            ],
            "phones": [{"e164": "+33612345678", "region": "FR", "start": 50, "end": 62}],
            "handles": [{"platform": "telegram", "value": "@Passeur"}],
            "score": 0.87,
            "rules": [{"rule": "route.arrow", "weight": 0.3}],
        },
    }
    base.update(changes)
    return base


def build(raw: dict[str, Any], **options: Any) -> dict[str, Any]:
    return advert_document(raw, cluster=CLUSTER, first_seen=None, last_seen=None, **options)


def test_document_id_is_stable_and_fixed_length() -> None:
    assert doc_id("a" * 5000) == doc_id("a" * 5000)
    assert len(doc_id("a" * 5000)) == 32
    assert doc_id("x") != doc_id("y")


def test_language_copies_only_for_detected_languages_with_an_analyzer() -> None:
    doc = build(item())
    assert doc["text_fr"] == doc["text"] == item()["text"]
    assert doc["title_en"] == item()["title"]
    assert "text_ps" not in doc  # no Pashto analyzer: the neutral field serves it
    assert "text_ar" not in doc


def test_derived_fields() -> None:
    doc = build(item(), cases=["MDT-2", "MDT-1", "MDT-1"])
    assert doc["fetched_at"] == "2026-10-01T10:00:00Z"
    assert doc["date"] == doc["fetched_at"]  # no posted date
    assert doc["countries"] == ["FR", "GB"]
    assert doc["price_eur"] == {"min": 1500.0, "max": 2340.0}
    assert doc["currencies"] == ["EUR", "GBP"]
    assert doc["places"][0]["location"] == {"lat": 50.95, "lon": 1.85}
    assert doc["handles"] == [{"platform": "telegram", "value": "Passeur"}]
    assert doc["cluster"]["repost_count"] == 1
    assert doc["cases"] == ["MDT-1", "MDT-2"]


def test_unknown_item_fields_are_kept_in_extra() -> None:
    assert build(item())["extra"] == {"views": 120}


def test_raw_item_without_enrichment_is_indexed_too() -> None:
    raw = {"id": "x", "source": "s", "text": "hello", "fetched_at": "2026-10-01T00:00:00Z"}
    doc = build(raw)
    assert doc["languages"] == []
    assert doc["route"] == {"origin": None, "transit": [], "destination": None}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"id": None}, "has no 'id'"),
        ({"source": ""}, "has no 'source'"),
        ({"text": None, "title": None}, "neither 'text' nor 'title'"),
        ({"fetched_at": "yesterday"}, "'fetched_at' is not an ISO 8601 date"),
        ({"enrichment": {"prices": [{"amount": "lots"}]}}, "amount must be a number"),
        ({"enrichment": {"places": "Calais"}}, "'places' must be a list"),
        ({"enrichment": ["fr"]}, "'enrichment' must be a mapping"),
    ],
)
def test_bad_shapes_are_named(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(BadItemError, match=reason):
        build(item(**changes))


def test_language_copies_are_rebuilt_for_migrations() -> None:
    doc = build(item())
    doc["text_de"] = "stale copy"
    doc["languages"] = ["fr"]

    rebuilt = with_language_fields(doc)

    assert "text_de" not in rebuilt
    assert "text_en" not in rebuilt
    assert rebuilt["text_fr"] == doc["text"]
    assert rebuilt["text_sha256"] == doc["text_sha256"]
