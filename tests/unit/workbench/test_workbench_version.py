"""The keyword version: a content hash over the keyword files, on every enriched record, every indexed
document and every crawl run in the history that ``smokkelradar status`` shows."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from indexer.document import ClusterInfo, advert_document
from indexer.fields import advert_properties
from nlp import build_pipeline, enrich_texts
from nlp.version import keywords_version
from radar.runs import RunHistory
from workbench.keyword_sets import SHIPPED_KEYWORDS, load_files


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "keywords"
    shutil.copytree(SHIPPED_KEYWORDS, folder)
    return folder


def test_the_version_follows_content_not_comments(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    shipped = keywords_version(load_files(SHIPPED_KEYWORDS))
    assert keywords_version(load_files(folder)) == shipped and len(shipped) == 12
    transport = folder / "transport.yaml"
    transport.write_text("# a comment only an analyst reads\n" + transport.read_text(encoding="utf-8"))
    assert keywords_version(load_files(folder)) == shipped
    transport.write_text(
        transport.read_text(encoding="utf-8").replace("boat, boats,", "boat, boats, bootje,")
    )
    assert keywords_version(load_files(folder)) != shipped


def test_every_record_and_document_carries_it() -> None:
    files = load_files(SHIPPED_KEYWORDS)
    nlp = build_pipeline(files)
    [record] = enrich_texts(nlp, [{"id": "a", "text": "boat from Zuwara to Lampedusa, 2500 euro"}])
    assert record["keywords_version"] == keywords_version(files)
    item = {"id": "a", "source": "s", "text": "boat", "enrichment": record}
    document = advert_document(
        item, cluster=ClusterInfo("c", 1, None, None, ()), first_seen=None, last_seen=None
    )
    assert document["keywords_version"] == keywords_version(files)
    assert advert_properties()["keywords_version"] == {"type": "keyword"}


def test_the_run_history_keeps_it_also_in_an_older_file(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    with sqlite3.connect(path) as db:  # the table as it was before the column existed
        db.execute(
            "CREATE TABLE runs (id INTEGER PRIMARY KEY, job_id TEXT NOT NULL, started_at TEXT NOT NULL, "
            "finished_at TEXT, outcome TEXT NOT NULL, seconds REAL, counts TEXT NOT NULL DEFAULT '{}', "
            "error TEXT NOT NULL DEFAULT '')"
        )
        db.execute(
            "INSERT INTO runs (job_id, started_at, outcome) VALUES ('crawl:old', '2026-01-01T00:00:00', 'ok')"
        )
    history = RunHistory(path)
    try:
        with history.record("crawl:demo") as record:
            record.keywords_version = "abc123def456"
        last = history.last_runs()
        assert last["crawl:demo"].keywords_version == "abc123def456"
        assert last["crawl:old"].keywords_version == ""
    finally:
        history.close()
