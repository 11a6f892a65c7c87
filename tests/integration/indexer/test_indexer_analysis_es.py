"""Per-language analysis through our mapping: an officer's spelling finds the advert's spelling.

Each case indexes one advert in a language and searches with another spelling of the same
word. The neutral field alone would not always find it, so the language copies are doing
the work; the last assertion of each case checks that a plain ``standard`` analysis would
indeed have missed, otherwise the case proves nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from indexer.query import SearchRequest
from indexer.search import search

if TYPE_CHECKING:
    from conftest import Index
    from elasticsearch import Elasticsearch

    from indexer.templates import IndexNames

pytestmark = pytest.mark.es

# (language, advert text, the word an officer types, the words of the advert that must be marked)
CASES = [
    # hamza on alef, teh marbuta, Persian yeh and keheh typed on a Persian keyboard in an Arabic advert
    ("ar", "رحلة الى ألمانيا مع جوازات سفر، التواصل مع مکتب الحجز", "المانيا", ["ألمانيا"]),
    ("ar", "نوفر الجوازات الاوروبية الاصلية", "جواز", ["الجوازات"]),
    ("ar", "رحلة من ليبیا الى ايطاليا", "ليبيا", ["ليبیا"]),
    # Persian: Arabic yeh/kaf in the advert, Persian letters in the query
    ("fa", "قاچاق از ايران به تركيه با ماشين", "ایران", ["ايران"]),
    ("fa", "ويزاي شينگن براي كار", "کار", ["كار"]),
    # Turkish: case suffixes and plurals, dotted capital I
    ("tr", "İstanbul'dan Yunanistan'a bot ile geçiş, pasaportlar hazır", "pasaport", ["pasaportlar"]),
    ("tr", "İZMİR'DEN ÇIKIŞ HER GÜN", "izmir", ["İZMİR'DEN"]),
    # French: accents and elision
    ("fr", "Passage vers l'Angleterre pour les réfugiés", "refugies", ["réfugiés"]),
    ("fr", "Passage vers l'Angleterre pour les réfugiés", "angleterre", ["l'Angleterre"]),
]


def advert(language: str, text: str) -> dict[str, Any]:
    return {
        "id": f"case:{language}:{abs(hash(text))}",
        "source": "demo-telegram",
        "text": text,
        "fetched_at": "2026-10-01T10:00:00Z",
        "enrichment": {"language": language, "languages": [language]},
    }


@pytest.mark.parametrize(("language", "text", "query", "marked"), CASES)
def test_query_spelling_finds_advert_spelling_and_highlights_it(
    es_client: Elasticsearch,
    names: IndexNames,
    index: Index,
    language: str,
    text: str,
    query: str,
    marked: list[str],
) -> None:
    index([advert(language, text), advert("en", "unrelated advert about a car to Calais")])

    result = search(es_client, names.alias, SearchRequest(query=query))

    assert [hit.source["text"] for hit in result.hits] == [text]
    spans = result.hits[0].highlights["text"]
    assert [text[start:end] for start, end in spans] == marked
    tokens = es_client.indices.analyze(analyzer="standard", text=marked[0])["tokens"]
    assert query.lower() not in [token["token"] for token in tokens]


def test_a_language_query_does_not_reach_another_languages_stems(
    es_client: Elasticsearch, names: IndexNames, index: Index
) -> None:
    # "pasaportlar" is only stemmed in the Turkish copy; an English advert with the same
    # letters is matched on its neutral field only when the word is written exactly.
    index([advert("tr", "pasaportlar hazır"), advert("en", "pasaportlar as a word")])

    stemmed = search(es_client, names.alias, SearchRequest(query="pasaport"))
    exact = search(es_client, names.alias, SearchRequest(query="pasaportlar"))

    assert [hit.source["text"] for hit in stemmed.hits] == ["pasaportlar hazır"]
    assert exact.total == 2
