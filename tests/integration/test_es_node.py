"""The local Elasticsearch node: the official client talks to it, our plugin's analysis works,
and the launcher starts, stops, keeps and wipes a node's data.

Most tests run against the node ``make test`` starts (``SMOKKELRADAR_TEST_ES_URL``). Each
language case pairs two spellings that the production analyzer treats as the same word and a
plain ``standard`` analysis does not, so a missing or wrong analyzer fails the test. The last
test starts its own throwaway node on free ports.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

pytestmark = pytest.mark.es

# (analyzer, indexed spelling, searched spelling, stop word it drops)
LANGUAGE_CASES = [
    ("arabic", "أحمد", "احمد", "في"),  # hamza on alef normalised
    ("arabic", "الجوازات", "جواز", "في"),  # article and plural stripped
    ("persian", "ايران", "ایران", "از"),  # Arabic yeh U+064A vs Persian yeh U+06CC
    ("persian", "كتاب", "کتاب", "از"),  # Arabic kaf vs keheh
    ("sorani", "كوردستان", "کوردستان", "و"),
    ("sorani", "پاسپۆرتەکان", "پاسپۆرت", "و"),  # definite plural suffix
    ("turkish", "pasaportlar", "pasaport", "ve"),  # plural suffix stemmed
    ("turkish", "İstanbul'dan", "istanbul", "ve"),  # apostrophe + ablative suffix, dotted capital I
    ("english", "passports", "passport", "the"),
    ("french", "réfugiés", "refugies", "le"),  # accents folded
    ("french", "l'Angleterre", "angleterre", "le"),  # elision
    ("dutch", "paspoorten", "paspoort", "de"),
    ("german", "Grenzübergänge", "Grenzubergange", "der"),  # umlauts normalised, plural stemmed
    ("italian", "passaporti", "passaporto", "il"),
    ("greek", "Διαβατήρια", "διαβατηρια", "και"),  # accent and case
    ("russian", "паспорта", "паспорт", "и"),
]


def analyze(client: Elasticsearch, text: str, **how: Any) -> list[str]:
    return [token["token"] for token in client.indices.analyze(text=text, **how)["tokens"]]


def test_client_passes_product_check_and_reads_root_info(es_url: str) -> None:
    from elasticsearch import Elasticsearch

    # A fresh client, so its product check (X-elastic-product header) runs in this test.
    with Elasticsearch(es_url, request_timeout=30) as client:
        info = client.info()
        assert client.ping() is True
    assert info["version"]["number"] == "8.14.3"
    assert info["version"]["lucene_version"] == "9.10.0"
    assert info["tagline"] == "You Know, for Search"
    assert info["cluster_name"]
    assert info["cluster_uuid"] not in ("", "_na_")


def test_indexes_a_document_and_finds_it(es_client: Elasticsearch, index_name: Callable[[str], str]) -> None:
    index = index_name("adverts")
    es_client.indices.create(
        index=index,
        mappings={
            "properties": {
                "body": {"type": "text", "analyzer": "english"},
                "route": {"type": "keyword"},
                "seen": {"type": "date"},
            }
        },
    )
    es_client.index(
        index=index,
        id="advert-1",
        document={"body": "Safe crossings to the UK every week", "route": "FR-GB", "seen": "2026-01-05"},
        refresh=True,
    )
    es_client.index(
        index=index, id="advert-2", document={"body": "Job offer in Lille", "route": "FR"}, refresh=True
    )

    found = es_client.search(
        index=index,
        query={"bool": {"must": {"match": {"body": "crossing"}}, "filter": {"term": {"route": "FR-GB"}}}},
        highlight={"fields": {"body": {}}},
    )

    hits = found["hits"]["hits"]
    assert [hit["_id"] for hit in hits] == ["advert-1"]
    assert "<em>crossings</em>" in hits[0]["highlight"]["body"][0]


@pytest.mark.parametrize(("analyzer", "indexed", "searched", "stop_word"), LANGUAGE_CASES)
def test_language_analyzer_matches_production_names(
    es_client: Elasticsearch, analyzer: str, indexed: str, searched: str, stop_word: str
) -> None:
    as_indexed = analyze(es_client, indexed, analyzer=analyzer)
    assert as_indexed, f"{analyzer} produced no token for {indexed!r}"
    assert as_indexed == analyze(es_client, searched, analyzer=analyzer)
    assert analyze(es_client, stop_word, analyzer=analyzer) == []
    # The same two spellings differ without language analysis; otherwise this case proves nothing.
    assert analyze(es_client, indexed, analyzer="standard") != analyze(
        es_client, searched, analyzer="standard"
    )


@pytest.mark.parametrize(("analyzer", "indexed", "searched", "stop_word"), LANGUAGE_CASES)
def test_language_analyzer_in_a_mapping_finds_the_other_spelling(
    es_client: Elasticsearch,
    index_name: Callable[[str], str],
    analyzer: str,
    indexed: str,
    searched: str,
    stop_word: str,
) -> None:
    index = index_name(analyzer)
    es_client.indices.create(
        index=index,
        mappings={"properties": {"text": {"type": "text", "analyzer": analyzer}}},
    )
    es_client.index(index=index, id="1", document={"text": f"{indexed} {stop_word}"}, refresh=True)

    found = es_client.search(index=index, query={"match": {"text": searched}})

    assert [hit["_id"] for hit in found["hits"]["hits"]] == ["1"]


def test_language_analyzer_accepts_production_settings(
    es_client: Elasticsearch, index_name: Callable[[str], str]
) -> None:
    index = index_name("settings")
    es_client.indices.create(
        index=index,
        settings={
            "analysis": {
                "analyzer": {
                    "arabic_all_words": {"type": "arabic", "stopwords": "_none_"},
                    "english_keep": {"type": "english", "stem_exclusion": ["passports"]},
                }
            }
        },
    )

    assert analyze(es_client, "في", index=index, analyzer="arabic_all_words") == ["في"]
    assert analyze(es_client, "passports visas", index=index, analyzer="english_keep") == [
        "passports",
        "visa",
    ]


def test_custom_analyzer_with_plugin_filters_and_tokenizers(
    es_client: Elasticsearch, index_name: Callable[[str], str]
) -> None:
    index = index_name("custom")
    es_client.indices.create(
        index=index,
        settings={
            "analysis": {
                "filter": {
                    "turkish_lowercase": {"type": "lowercase", "language": "turkish"},
                    "fold_keep": {"type": "asciifolding", "preserve_original": True},
                },
                "analyzer": {
                    "arabic_script": {
                        "tokenizer": "standard",
                        "filter": ["decimal_digit", "arabic_normalization", "persian_normalization"],
                    },
                    "turkish_words": {"tokenizer": "whitespace", "filter": ["turkish_lowercase"]},
                    "folded": {"tokenizer": "whitespace", "filter": ["fold_keep"]},
                },
                "normalizer": {
                    "phone": {"type": "custom", "filter": ["decimal_digit", "lowercase", "asciifolding"]}
                },
            }
        },
        mappings={"properties": {"phone": {"type": "keyword", "normalizer": "phone"}}},
    )

    # Eastern Arabic and Persian digits become Latin digits; alef variants and yeh normalise.
    assert analyze(es_client, "٠٩١٢ ۰۹۱۲ أحمد", index=index, analyzer="arabic_script") == [
        "0912",
        "0912",
        "احمد",
    ]
    assert analyze(es_client, "ISTANBUL İZMİR", index=index, analyzer="turkish_words") == [
        "ıstanbul",
        "izmir",
    ]
    assert analyze(es_client, "Çà", index=index, analyzer="folded") == ["Ca", "Çà"]
    assert analyze(es_client, "kw tok", index=index, tokenizer="keyword") == ["kw tok"]

    es_client.index(index=index, id="1", document={"phone": "+٣١ ٦١٢"}, refresh=True)
    found = es_client.search(index=index, query={"term": {"phone": "+31 612"}})
    assert found["hits"]["total"]["value"] == 1


def test_lowercase_filter_rejects_an_unknown_language_like_production(es_client: Elasticsearch) -> None:
    from elasticsearch import BadRequestError

    with pytest.raises(BadRequestError, match="not support for lower case"):
        es_client.indices.analyze(
            tokenizer="standard", filter=[{"type": "lowercase", "language": "klingon"}], text="X"
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.slow
def test_throwaway_node_starts_stops_keeps_data_and_resets() -> None:
    from elasticsearch import Elasticsearch

    from indexer.node import NodeSettings, launcher

    repo = Path(__file__).resolve().parents[2]
    # Under /tmp rather than pytest's tmp_path: when the suite runs as root, the node runs as
    # an unprivileged user that cannot enter /tmp/pytest-of-root.
    data_dir = Path(tempfile.mkdtemp(prefix="smokkelradar-es-test-"))
    settings = NodeSettings(
        data_dir=data_dir,
        http_port=_free_port(),
        transport_port=_free_port(),
        cache_dir=repo / ".cache" / "elasticsearch",
    )
    try:
        node = launcher.start(settings, timeout=240)
        assert node.running
        assert node.health in ("green", "yellow")
        assert node.version == "8.14.3"
        assert node.heap_max == 2**30  # -Xmx1g from our jvm.options.d file
        assert node.rss is not None
        assert node.rss > 0
        with Elasticsearch(settings.url, request_timeout=30) as client:
            client.index(index="kept", id="1", document={"text": "survives a restart"}, refresh=True)
            # The node took our elasticsearch.yml: searches run without the search_worker pool.
            (info,) = client.nodes.info(metric="settings")["nodes"].values()
            assert info["settings"]["search"]["worker_threads_enabled"] == "false"

        assert launcher.stop(settings) is True
        assert not launcher.status(settings).running
        assert launcher.stop(settings) is False  # stopping a stopped node is not an error

        assert launcher.start(settings, timeout=240).running
        with Elasticsearch(settings.url, request_timeout=30) as client:
            assert client.get(index="kept", id="1")["_source"] == {"text": "survives a restart"}

        launcher.reset(settings)
        assert not launcher.status(settings).running
        assert list(data_dir.iterdir()) == []

        # Two starts at once (two test sessions, two operators): one node, known to both, and
        # still known to `stop` (the second once deleted the first one's pidfile, then failed).
        with ThreadPoolExecutor(max_workers=2) as pool:
            both = list(pool.map(lambda _: launcher.start(settings, timeout=240), range(2)))
        assert [node.running for node in both] == [True, True]
        assert both[0].pid == both[1].pid == launcher.status(settings).pid
        with Elasticsearch(settings.url, request_timeout=30) as client:
            assert not client.indices.exists(index="kept")
        assert launcher.stop(settings) is True
        assert not launcher.status(settings).running
    finally:
        launcher.stop(settings)
        shutil.rmtree(data_dir, ignore_errors=True)
