"""Documents and means of transport, slang and glued affixes included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Enrich = Callable[[str], dict[str, Any]]


def test_documents_longest_match_wins(enrich: Enrich) -> None:
    record = enrich("جوازات + فيزا شنغن + هويات @wathaiq_sham")
    assert record["documents"] == ["passport", "schengen_visa", "id_card"]


def test_documents_in_several_languages(enrich: Enrich) -> None:
    assert enrich("Titre de séjour 10 ans, vrai dans le système")["documents"] == ["residence_permit"]
    assert enrich("Ehliyet 1.200 €, kimlik 1.500 €")["documents"] == ["driving_licence", "id_card"]
    assert enrich("ፓስፖርት እና ቪዛ በፍጥነት")["documents"] == ["passport", "visa"]


def test_transport_slang_and_glued_prepositions(enrich: Enrich) -> None:
    assert enrich("طلعات بالبلم والا باللوري")["transport"] == ["boat", "truck"]
    assert enrich("dunki from Greece, walking in the forest")["transport"] == ["on_foot"]
    assert enrich("ከካርቱም በመኪና")["transport"] == ["car"]


def test_transport_emoji(enrich: Enrich) -> None:
    assert enrich("Τομπρούκ → Κρήτη 🚢")["transport"] == ["boat"]


def test_latin_words_of_another_language_do_not_fire(enrich: Enrich) -> None:
    # Dutch "van" is "from", not a van (the car), in a Dutch advert.
    assert enrich("Overtocht van Duinkerke naar Engeland, neem contact op")["transport"] == []
