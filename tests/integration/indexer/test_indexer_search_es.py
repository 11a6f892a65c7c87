"""Search, facets, paging, collapse, pivot and cluster statistics on the labelled corpus."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import pytest
from corpus_items import EUR_PER_UNIT, corpus_entries, corpus_items, enriched_item, entry

from indexer.document import doc_id
from indexer.pivot import pivot
from indexer.query import SearchRequest
from indexer.search import search

if TYPE_CHECKING:
    from conftest import Index
    from elasticsearch import Elasticsearch

    from indexer.spool import Spool
    from indexer.templates import IndexNames

pytestmark = pytest.mark.es


def labelled(predicate: Any) -> set[str]:
    """Advert ids of corpus entries whose labels satisfy ``predicate``."""
    return {f"demo-{e['channel']}:{e['id']}" for e in corpus_entries() if predicate(e["labels"], e)}


def ids(result: Any) -> set[str]:
    return {hit.source["advert_id"] for hit in result.hits}


def test_filters_return_exactly_the_labelled_adverts(
    es_client: Elasticsearch, names: IndexNames, index: Index
) -> None:
    index(corpus_items())

    libya_italy = search(
        es_client, names.alias, SearchRequest(origin=("LY",), destination=("IT",), limit=500)
    )
    passports = search(es_client, names.alias, SearchRequest(document=("passport",), lang=("ar",), limit=500))

    assert ids(libya_italy) == labelled(
        lambda la, _: la["route"]["origin"] == "LY" and la["route"]["destination"] == "IT"
    )
    assert ids(passports) == labelled(lambda la, e: "passport" in la["documents"] and e["lang"] == "ar")
    assert libya_italy.total == len(ids(libya_italy)) > 0
    shown = passports.hits[0].source
    assert "text_sha256" in shown  # hits carry the stored document ...
    assert "text_ar" not in shown  # ... without the per-language copies of the text
    assert passports.hits[0].advert_id == shown["advert_id"]


def test_facets_count_the_matching_adverts(es_client: Elasticsearch, names: IndexNames, index: Index) -> None:
    index(corpus_items())

    result = search(es_client, names.alias, SearchRequest(transport=("boat",), limit=1))

    boats = [e for e in corpus_entries() if "boat" in e["labels"]["transport"]]
    assert result.total == len(boats)
    languages = {b.key: b.count for b in result.facets.languages}
    assert languages == {lang: sum(e["lang"] == lang for e in boats) for lang in {e["lang"] for e in boats}}
    origins = {b.key: b.count for b in result.facets.origin}
    libya = sum(e["labels"]["route"]["origin"] == "LY" for e in boats)
    assert origins["LY"] == libya
    assert {b.key: b.count for b in result.facets.transport}["boat"] == len(boats)
    assert sum(b.count for b in result.facets.sources) == len(boats)
    assert sum(b.count for b in result.facets.dates) == len(boats)
    priced = [e for e in boats if any(p["currency"] == "EUR" for p in e["labels"]["prices"])]
    assert sum(b.count for b in result.facets.price_eur) >= len(priced) > 0


def test_price_and_date_filters(es_client: Elasticsearch, names: IndexNames, index: Index) -> None:
    from datetime import date

    index(corpus_items())

    cheap = search(
        es_client, names.alias, SearchRequest(price_min=1000, price_max=2000, currency=("EUR",), limit=500)
    )
    october = search(
        es_client, names.alias, SearchRequest(since=date(2026, 10, 1), until=date(2026, 10, 31), limit=500)
    )

    def euros(price: dict[str, Any]) -> float:
        return price["amount"] * EUR_PER_UNIT.get(price["currency"], float("nan"))

    # Filters apply independently: a price in EUR somewhere, and some price worth 1000-2000 EUR.
    assert ids(cheap) == labelled(
        lambda la, _: (
            any(p["currency"] == "EUR" for p in la["prices"])
            and any(1000 <= euros(p) <= 2000 for p in la["prices"])
        )
    )
    assert ids(october) == {
        f"demo-{e['channel']}:{e['id']}" for e in corpus_entries() if str(e["posted"]).startswith("2026-10")
    }


def test_search_after_pages_through_everything_once(
    es_client: Elasticsearch, names: IndexNames, index: Index
) -> None:
    items = corpus_items()
    index(items)

    seen: list[str] = []
    cursor = None
    while True:
        page = search(es_client, names.alias, SearchRequest(limit=50, search_after=cursor, facets=False))
        seen += [hit.source["advert_id"] for hit in page.hits]
        cursor = page.next_cursor
        if cursor is None:
            break

    assert sorted(seen) == sorted(item["id"] for item in items)


def request_cache_hits(client: Elasticsearch, alias: str) -> int:
    stats = client.indices.stats(index=alias, metric="request_cache")
    return int(stats["_all"]["primaries"]["request_cache"]["hit_count"])


def test_the_next_page_takes_total_and_facets_from_the_request_cache(
    es_client: Elasticsearch, names: IndexNames, index: Index
) -> None:
    index(corpus_items())
    first = search(es_client, names.alias, SearchRequest(query="boat", limit=3))
    before = request_cache_hits(es_client, names.alias)

    after = SearchRequest(query="boat", limit=3, search_after=first.next_cursor)
    second = search(es_client, names.alias, after)

    assert request_cache_hits(es_client, names.alias) > before  # the summary was not computed again
    assert (second.total, second.facets) == (first.total, first.facets)
    assert second.total_is_exact
    assert not {hit.doc_id for hit in first.hits} & {hit.doc_id for hit in second.hits}


def test_a_search_elasticsearch_refuses_raises_the_clients_error(es_client: Elasticsearch) -> None:
    from elasticsearch import NotFoundError

    with pytest.raises(NotFoundError):
        search(es_client, "smokkelradar-test-no-such-alias", SearchRequest(query="boat"))


def repost(raw: dict[str, Any], n: int, source: str) -> dict[str, Any]:
    """The advert posted again elsewhere, with a small edit and a later date."""
    changed = copy.deepcopy(raw)
    changed["text"] = raw["text"].replace("\n", f" 🔥{n}\n", 1)
    item = enriched_item(changed, source=source, advert_id=f"{source}:{raw['id']}-repost-{n}")
    item["posted_at"] = f"2026-11-2{n}T10:00:00+00:00"
    return item


def test_reposts_form_one_cluster_whose_statistics_every_member_carries(
    es_client: Elasticsearch, names: IndexNames, index: Index
) -> None:
    original = entry("tr-001")
    index([enriched_item(original)])
    index([repost(original, 1, "other-channel"), repost(original, 2, "third-forum")])

    result = search(es_client, names.alias, SearchRequest(query="MİDİLLİ", limit=10))

    assert result.total == 3
    clusters = [hit.source["cluster"] for hit in result.hits]
    assert {c["id"] for c in clusters} == {doc_id("demo-telegram:tr-001")}
    for cluster in clusters:  # the first advert was updated when the reposts joined
        assert cluster["size"] == 3
        assert cluster["repost_count"] == 2
        assert cluster["sources"] == ["demo-telegram", "other-channel", "third-forum"]
        assert cluster["first_seen"] == "2026-08-03T19:42:00Z"
        assert cluster["last_seen"] == "2026-11-22T10:00:00Z"


def test_collapse_shows_one_hit_per_cluster(
    es_client: Elasticsearch, names: IndexNames, index: Index
) -> None:
    original = entry("tr-001")
    index([enriched_item(original), repost(original, 1, "other"), enriched_item(entry("tr-002"))])

    plain = search(es_client, names.alias, SearchRequest(lang=("tr",), limit=100))
    collapsed = search(es_client, names.alias, SearchRequest(lang=("tr",), collapse=True, limit=100))

    assert plain.total == 3
    assert len(collapsed.hits) == 2
    assert collapsed.clusters == 2
    assert len({hit.source["cluster"]["id"] for hit in collapsed.hits}) == 2


def test_pivot_on_a_phone_lists_adverts_and_sources_with_first_and_last_seen(
    es_client: Elasticsearch, names: IndexNames, index: Index
) -> None:
    index(corpus_items())
    phone = "+989123387415"
    sharing = [e for e in corpus_entries() if phone in e["labels"]["phones"]]
    assert len(sharing) >= 2  # the corpus reuses this number on purpose

    result = pivot(es_client, names.alias, phone="0098 912 338 7415")

    assert result.value == phone
    assert result.total == len(sharing)
    assert {a.advert_id for a in result.adverts} == {f"demo-{e['channel']}:{e['id']}" for e in sharing}
    assert sum(s.adverts for s in result.sources) == len(sharing)
    posted = sorted(str(e["posted"]) for e in sharing)
    assert result.first_seen is not None
    assert result.first_seen[:16] == posted[0][:16].replace(" ", "T")
    assert [a.date for a in result.adverts] == sorted(a.date or "" for a in result.adverts)
    assert phone in {b.key for b in result.phones}


def test_pivot_on_a_handle_and_on_a_cluster(
    es_client: Elasticsearch, names: IndexNames, index: Index
) -> None:
    original = entry("tr-001")
    with_handle = next(e for e in corpus_entries() if e["labels"]["handles"])
    handle = with_handle["labels"]["handles"][0]["value"]
    index([enriched_item(with_handle), enriched_item(original), repost(original, 1, "other")])

    by_handle = pivot(es_client, names.alias, handle="@" + handle.upper())
    by_cluster = pivot(es_client, names.alias, cluster=doc_id("demo-telegram:tr-001"))

    assert [a.advert_id for a in by_handle.adverts] == [f"demo-{with_handle['channel']}:{with_handle['id']}"]
    assert {s.source for s in by_cluster.sources} == {"demo-telegram", "other"}
    assert by_cluster.total == 2


def test_reindexing_the_same_adverts_never_duplicates(
    es_client: Elasticsearch, names: IndexNames, index: Index, spool: Spool
) -> None:
    items = corpus_items(("fr", "nl"))

    first = index(items)
    second = index(items)  # a re-crawl spools every advert again
    third = index([dict(items[0], text=items[0]["text"] + " (update)")])

    assert first.indexed == second.indexed == len(items)
    assert third.indexed == 1
    assert es_client.count(index=names.alias)["count"] == len(items)
    updated = search(es_client, names.alias, SearchRequest(query='"(update)"', limit=5))
    assert [hit.source["advert_id"] for hit in updated.hits] == [items[0]["id"]]
    assert updated.hits[0].source["cluster"]["size"] == 1  # an update is not a repost of itself
    assert spool.counts().pending == 0
