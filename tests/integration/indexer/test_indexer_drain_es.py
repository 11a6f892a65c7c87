"""The drain against the real node: dead letters with reasons, an unreachable cluster, the stage."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from corpus_items import corpus_items

from indexer.bulk import Drainer, DrainOptions
from indexer.query import SearchRequest
from indexer.search import search

if TYPE_CHECKING:
    from conftest import Index
    from elasticsearch import Elasticsearch

    from indexer.dedup import NearDuplicates
    from indexer.spool import Spool
    from indexer.templates import IndexNames

pytestmark = pytest.mark.es


def test_rejected_documents_become_dead_letters_with_the_reason(
    es_client: Elasticsearch, names: IndexNames, index: Index, spool: Spool, store: NearDuplicates
) -> None:
    good = corpus_items(("nl",))
    # The converter passes this through; Elasticsearch's mapping refuses an object for a keyword.
    odd_platform: dict[str, Any] = dict(good[0], id="bad:mapping")
    odd_platform["enrichment"] = dict(
        good[0]["enrichment"], handles=[{"platform": {"name": "tg"}, "value": "x"}]
    )
    not_a_date = dict(good[1], id="bad:date", fetched_at="gisteren")
    not_a_country: dict[str, Any] = dict(good[2], id="bad:route")
    not_a_country["enrichment"] = dict(good[2]["enrichment"], route={"origin": {"name": "Libya"}})

    report = index([*good, odd_platform, not_a_date, not_a_country])

    assert report.indexed == len(good)
    assert report.dead == 3
    letters = {letter.advert_id: letter for letter in spool.dead_letters()}
    assert set(letters) == {"bad:mapping", "bad:date", "bad:route"}
    assert letters["bad:mapping"].reason.startswith("400 document_parsing_exception")
    assert "handles.platform" in letters["bad:mapping"].reason
    assert letters["bad:date"].reason == "bad item: 'fetched_at' is not an ISO 8601 date: 'gisteren'"
    assert (
        letters["bad:route"].reason == "bad item: route origin must be a country code, got {'name': 'Libya'}"
    )
    assert letters["bad:mapping"].item == odd_platform  # kept whole, for a requeue after a fix
    assert es_client.count(index=names.alias)["count"] == len(good)
    assert store.count() == len(good)  # rejected adverts take no place in a cluster
    assert spool.counts().pending == 0


def test_requeued_dead_letter_is_indexed_once_fixed(
    es_client: Elasticsearch, names: IndexNames, index: Index, spool: Spool
) -> None:
    (item,) = corpus_items(("nl",))[:1]
    index([dict(item, posted_at="not a date")])
    assert spool.counts().dead == 1

    spool.put(item)  # the crawler delivers a corrected version
    assert spool.requeue() == 1
    report = index()

    assert report.indexed == 1
    assert spool.counts().dead == 0
    assert search(es_client, names.alias, SearchRequest()).total == 1


def test_unreachable_cluster_keeps_every_entry_in_the_spool(
    tmp_path: Path, spool: Spool, store: NearDuplicates
) -> None:
    import socket

    from elasticsearch import Elasticsearch

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    items = corpus_items(("nl",))
    spool.put_many(items)
    waits: list[float] = []
    with Elasticsearch(f"http://127.0.0.1:{port}", request_timeout=2, max_retries=0) as nowhere:
        drainer = Drainer(
            nowhere,
            "nowhere-adverts",
            spool,
            store,
            options=DrainOptions(batch_size=5, give_up_after=3.0, initial_backoff=1.0),
            sleep=waits.append,
            clock=lambda: float(len(waits)),  # each back-off "takes" one second
        )
        report = drainer.run()

    assert report.indexed == 0
    assert report.dead == 0
    assert report.stopped.startswith("Elasticsearch unavailable for 3 s")
    assert waits == [1.0, 2.0, 4.0]  # doubling back-off
    counts = spool.counts()
    assert counts.pending == len(items)
    assert counts.dead == 0


def test_reposts_across_batches_of_one_drain_leave_every_member_with_the_final_statistics(
    es_client: Elasticsearch, names: IndexNames, index: Index, store: NearDuplicates
) -> None:
    from corpus_items import enriched_item, entry

    original = entry("tr-001")
    items = [enriched_item(original)]
    for n in range(1, 6):  # five reposts, each with a small edit of its own
        changed = dict(original, text=original["text"].replace("\n", f" 🔥{n}\n", 1))
        items.append(enriched_item(changed, source=f"channel-{n}", advert_id=f"channel-{n}:repost"))

    report = index(items, batch_size=2)  # three batches: the cluster changes in each

    hits = es_client.search(index=names.alias, size=10, query={"match_all": {}})["hits"]["hits"]
    clusters = [hit["_source"]["cluster"] for hit in hits]
    assert len(clusters) == 6
    (cluster_id,) = {cluster["id"] for cluster in clusters}
    expected = store.stats([cluster_id])[cluster_id].as_field()
    assert all(cluster == expected for cluster in clusters)
    assert expected["size"] == 6
    # Members placed in the batch of the last change carry it already: only the first four
    # (placed in the first two batches) needed an update.
    assert report.cluster_updates == 4
    assert store.dirty() == []
