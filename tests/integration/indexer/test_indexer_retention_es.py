"""Retention: expired adverts deleted with their evidence, pinned adverts kept, every run logged."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pytest
from corpus_items import corpus_items

from indexer.document import doc_id
from indexer.pins import pin_advert
from indexer.query import SearchRequest
from indexer.retention import apply_retention
from indexer.search import search

if TYPE_CHECKING:
    from conftest import Index
    from elasticsearch import Elasticsearch

    from indexer.pins import Pins
    from indexer.settings import IndexerSettings
    from indexer.templates import IndexNames

pytestmark = pytest.mark.es

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def advert(advert_id: str, source: str, fetched: str, evidence: list[str] | None = None) -> dict[str, Any]:
    base = corpus_items(("en",))[0]
    return dict(
        base,
        id=advert_id,
        source=source,
        text=f"{base['text']} ({advert_id})",  # each its own cluster
        fetched_at=fetched,
        posted_at=fetched,
        evidence=[{"kind": "warc", "path": path, "sha256": "0" * 64} for path in evidence or []],
    )


@pytest.fixture
def per_source(settings: IndexerSettings) -> IndexerSettings:
    # forum adverts are kept 30 days, telegram ones 365 (the default)
    return dataclasses.replace(settings, source_retention_days=MappingProxyType({"forum": 30}))


def test_expired_adverts_go_with_their_evidence_and_pinned_ones_stay(
    es_client: Elasticsearch, names: IndexNames, index: Index, per_source: IndexerSettings, pins: Pins
) -> None:
    evidence = per_source.evidence_dir
    (evidence / "2026").mkdir(parents=True)
    for name in ("old.warc.gz", "pinned.warc.gz", "fresh.warc.gz", "page.warc.gz"):
        (evidence / "2026" / name).write_bytes(b"WARC/1.1")
    outside = per_source.evidence_dir.parent / "not-evidence.txt"
    outside.write_text("must survive")
    index(
        [
            advert(
                "forum:old",
                "forum",
                "2026-11-01T00:00:00Z",
                ["2026/old.warc.gz", "2026/page.warc.gz", "../not-evidence.txt"],
            ),
            advert("forum:pinned", "forum", "2026-10-01T00:00:00Z", ["2026/pinned.warc.gz"]),
            # read from the same listing page as forum:old, so it shares that capture
            advert(
                "forum:fresh", "forum", "2026-12-15T00:00:00Z", ["2026/fresh.warc.gz", "2026/page.warc.gz"]
            ),
            advert("telegram:old-but-kept-a-year", "telegram", "2026-03-01T00:00:00Z"),
            advert("telegram:expired", "telegram", "2025-12-01T00:00:00Z"),
        ]
    )
    pin_advert(es_client, names.alias, pins, "forum:pinned", "MDT-2026-041")

    dry = apply_retention(es_client, per_source, dry_run=True, now=NOW)

    assert dry.deleted == {"forum": 1, "telegram": 1}
    assert es_client.count(index=names.alias)["count"] == 5
    assert (evidence / "2026" / "old.warc.gz").exists()

    report = apply_retention(es_client, per_source, now=NOW)

    assert report.deleted == {"forum": 1, "telegram": 1}
    assert report.kept_pinned == {"forum": 1}
    assert sorted(report.deleted_ids) == ["forum:old", "telegram:expired"]
    left = search(es_client, names.alias, SearchRequest(limit=10))
    assert {hit.source["advert_id"] for hit in left.hits} == {
        "forum:pinned",
        "forum:fresh",
        "telegram:old-but-kept-a-year",
    }
    assert not (evidence / "2026" / "old.warc.gz").exists()
    assert (evidence / "2026" / "pinned.warc.gz").exists()
    assert (evidence / "2026" / "fresh.warc.gz").exists()
    assert (evidence / "2026" / "page.warc.gz").exists()  # forum:fresh still refers to it
    assert report.evidence_deleted == 1
    assert report.evidence_shared == 1
    assert report.evidence_refused == 1  # ../not-evidence.txt lies outside the evidence folder
    assert outside.read_text() == "must survive"
    log = [json.loads(line) for line in per_source.retention_log_path.read_text().splitlines()]
    assert [entry["dry_run"] for entry in log] == [True, False]
    assert log[1]["deleted"] == {"forum": 1, "telegram": 1}
    assert log[1]["deleted_ids"] == report.deleted_ids


def test_pin_is_searchable_by_case(
    es_client: Elasticsearch, names: IndexNames, index: Index, pins: Pins
) -> None:
    index(
        [
            advert("forum:a", "forum", "2026-11-01T00:00:00Z"),
            advert("forum:b", "forum", "2026-11-01T00:00:00Z"),
        ]
    )

    advert_id, added = pin_advert(es_client, names.alias, pins, doc_id("forum:a"), "MDT-7")
    again = pin_advert(es_client, names.alias, pins, "forum:a", "MDT-7")

    assert (advert_id, added) == ("forum:a", True)
    assert again == ("forum:a", False)
    found = search(es_client, names.alias, SearchRequest(case="MDT-7"))
    assert [hit.source["advert_id"] for hit in found.hits] == ["forum:a"]
    # the pin survives the advert being crawled and indexed again
    index([advert("forum:a", "forum", "2026-11-02T00:00:00Z")])
    assert search(es_client, names.alias, SearchRequest(case="MDT-7")).total == 1


def test_reposts_left_behind_get_their_cluster_recounted(
    es_client: Elasticsearch, names: IndexNames, index: Index, settings: IndexerSettings
) -> None:
    first = advert("telegram:first", "telegram", "2025-06-01T00:00:00Z")
    first["text"] = corpus_items(("en",))[0]["text"]
    again = dict(first, id="forum:again", source="forum", fetched_at="2026-12-01T00:00:00Z", posted_at=None)
    index([first, again])
    assert (
        search(es_client, names.alias, SearchRequest(source=("forum",))).hits[0].source["cluster"]["size"]
        == 2
    )

    apply_retention(es_client, settings, now=NOW)

    (left,) = search(es_client, names.alias, SearchRequest()).hits
    assert left.source["advert_id"] == "forum:again"
    assert left.source["cluster"]["size"] == 1
    assert left.source["cluster"]["sources"] == ["forum"]
