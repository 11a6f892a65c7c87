"""Retention and proportionality: adverts older than their source's retention are deleted.

An advert expires when it was last seen more than ``retention_days`` ago (per source in
``sources/*.yaml``, else radar.yaml's default; a source no longer configured gets the
default). Adverts pinned to a case are kept, whatever their age. With an advert go its
evidence files (WARC records, screenshots) and its place in the near-duplicate store, so
reposts that remain get their cluster statistics recomputed.

Every run appends one JSON line to ``<state>/retention.jsonl``: when, dry run or not, the
counts per source, the evidence files removed and the ids deleted, so each deletion can be
accounted for. ``dry_run`` reports the same without deleting anything.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer.clusters import sync_dirty_clusters
from indexer.dedup import NearDuplicates
from indexer.pins import Pins
from indexer.settings import IndexerSettings
from radar.logs import get_logger

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = get_logger("indexer.retention")

PAGE = 1000


@dataclass
class RetentionReport:
    at: str
    dry_run: bool
    cutoffs: dict[str, str] = field(default_factory=dict)  # source -> delete when last seen before
    deleted: dict[str, int] = field(default_factory=dict)  # source -> adverts deleted (or to delete)
    kept_pinned: dict[str, int] = field(default_factory=dict)
    evidence_deleted: int = 0
    evidence_missing: int = 0  # referenced but already gone
    evidence_refused: int = 0  # paths outside the evidence folder: never touched
    evidence_shared: int = 0  # files kept because an advert that stays refers to them too
    failed: int = 0  # deletions Elasticsearch did not confirm (tried again on the next run)
    deleted_ids: list[str] = field(default_factory=list)

    @property
    def total_deleted(self) -> int:
        return sum(self.deleted.values())

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def expired_query(source: str, cutoff: datetime) -> dict[str, Any]:
    before = {"lt": cutoff.isoformat()}
    undated = {"must_not": {"exists": {"field": "last_seen"}}, "filter": {"range": {"date": before}}}
    return {
        "bool": {
            "filter": [{"term": {"source": source}}],
            "should": [
                {"range": {"last_seen": before}},
                # Documents without last_seen (none are written so, but be safe): their date decides.
                {"bool": undated},
            ],
            "minimum_should_match": 1,
        }
    }


def indexed_sources(client: Elasticsearch, alias: str) -> list[str]:
    response = client.search(index=alias, size=0, aggs={"s": {"terms": {"field": "source", "size": 10000}}})
    return sorted(bucket["key"] for bucket in response["aggregations"]["s"]["buckets"])


def _expired(client: Elasticsearch, alias: str, query: dict[str, Any]) -> Iterator[Mapping[str, Any]]:
    after: list[Any] | None = None
    while True:
        page = client.search(
            index=alias,
            query=query,
            sort=[{"advert_id": "asc"}],
            size=PAGE,
            source_includes=["advert_id", "cases", "evidence.path"],
            search_after=after,
        )
        hits = page["hits"]["hits"]
        yield from hits
        if len(hits) < PAGE:
            return
        after = hits[-1]["sort"]


def evidence_file(evidence_dir: Path, reference: str) -> Path | None:
    """The evidence file a document refers to, or None when it would lie outside the folder."""
    base = evidence_dir.resolve()
    path = (base / reference).resolve()
    return path if path.is_relative_to(base) else None


def apply_retention(
    client: Elasticsearch,
    settings: IndexerSettings,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> RetentionReport:
    """Delete (or, dry run, count) every expired, unpinned advert; hold the writer lock around it."""
    moment = now or datetime.now(UTC)
    report = RetentionReport(at=moment.isoformat(), dry_run=dry_run)
    alias = settings.names.alias
    pins = Pins(settings.pins_path)
    pinned = pins.pinned()
    pins.close()
    doomed: list[tuple[str, str, list[str]]] = []  # (doc id, advert id, evidence paths)
    for source in indexed_sources(client, alias):
        cutoff = moment - timedelta(days=settings.retention_for(source))
        report.cutoffs[source] = cutoff.isoformat()
        counts: Counter[str] = Counter()
        for hit in _expired(client, alias, expired_query(source, cutoff)):
            doc = hit["_source"]
            if doc.get("cases") or doc["advert_id"] in pinned:
                counts["kept"] += 1
                continue
            counts["deleted"] += 1
            paths = [e["path"] for e in doc.get("evidence") or [] if e.get("path")]
            doomed.append((hit["_id"], doc["advert_id"], paths))
        if counts["deleted"]:
            report.deleted[source] = counts["deleted"]
        if counts["kept"]:
            report.kept_pinned[source] = counts["kept"]
    report.deleted_ids = [advert_id for _, advert_id, _ in doomed]
    if not dry_run and doomed:
        _delete(client, settings, doomed, report)
    _write_log(settings.retention_log_path, report)
    log.info(
        "retention %s",
        "dry run" if dry_run else "done",
        extra={
            "deleted": report.total_deleted,
            "kept_pinned": sum(report.kept_pinned.values()),
            "evidence_deleted": report.evidence_deleted,
            "per_source": json.dumps(report.deleted),
        },
    )
    return report


def _delete(
    client: Elasticsearch,
    settings: IndexerSettings,
    doomed: list[tuple[str, str, list[str]]],
    report: RetentionReport,
) -> None:
    """Delete the documents; only for those Elasticsearch confirmed, the evidence and dedup state."""
    from elasticsearch.helpers import streaming_bulk

    alias = settings.names.alias
    actions = ({"_op_type": "delete", "_index": alias, "_id": doc_id} for doc_id, _, _ in doomed)
    gone: set[str] = set()
    for ok, info in streaming_bulk(client, actions, raise_on_error=False, raise_on_exception=False):
        result = info.get("delete", {})
        if ok or result.get("status") == 404:
            gone.add(result["_id"])
    report.failed = len(doomed) - len(gone)
    confirmed = [(advert_id, paths) for doc_id, advert_id, paths in doomed if doc_id in gone]
    client.indices.refresh(index=alias)
    # One capture (a listing page, a channel page) can hold several adverts: a file another
    # advert still refers to stays.
    paths = sorted({path for _, advert_paths in confirmed for path in advert_paths})
    shared = still_referenced(client, alias, paths)
    report.evidence_shared = len(shared)
    _delete_evidence(settings.evidence_dir, [path for path in paths if path not in shared], report)
    store = NearDuplicates(settings.near_duplicates_path, settings.near_duplicate_threshold)
    try:
        store.forget(advert_id for advert_id, _ in confirmed)
        sync_dirty_clusters(client, store, alias)
    finally:
        store.close()
    client.indices.refresh(index=alias)


def still_referenced(client: Elasticsearch, alias: str, paths: list[str]) -> set[str]:
    """The evidence paths some advert in the index still refers to."""
    found: set[str] = set()
    for start in range(0, len(paths), PAGE):
        part = paths[start : start + PAGE]
        response = client.search(
            index=alias,
            size=0,
            query={"terms": {"evidence.path": part}},
            aggs={"paths": {"terms": {"field": "evidence.path", "include": part, "size": len(part)}}},
        )
        found.update(bucket["key"] for bucket in response["aggregations"]["paths"]["buckets"])
    return found


def _delete_evidence(evidence_dir: Path, references: list[str], report: RetentionReport) -> None:
    for reference in references:
        path = evidence_file(evidence_dir, reference)
        if path is None:
            report.evidence_refused += 1
            log.warning("evidence path outside the evidence folder; not deleted", extra={"path": reference})
        elif path.is_file():
            path.unlink()
            report.evidence_deleted += 1
        else:
            report.evidence_missing += 1


def _write_log(path: Path, report: RetentionReport) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log_file:
        log_file.write(json.dumps(report.as_dict(), ensure_ascii=False) + "\n")
