"""Documents staged at put time: the drain finishes them into exactly what it would build from the item."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from indexer.dedup import NearDuplicates
from indexer.prepare import Batch, prepare
from indexer.spool import Spool, SpoolEntry
from indexer.staging import FORMAT, stage
from tests.integration.indexer.corpus_items import corpus_items

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def odd_items() -> list[dict[str, Any]]:
    base = corpus_items(("ar", "nl"))[:2]
    return [
        # datetimes and a set where JSON has none; keys the indexer does not know (kept in "extra")
        dict(
            base[0],
            id="odd:dates",
            fetched_at=datetime(2026, 10, 1, 10, 30, 5, 123, tzinfo=UTC),
            posted_at="2026-09-30T10:00:00.5+05:30",
            views={"count": 3, "seen": {"x"}, "when": datetime(2026, 9, 1)},
        ),
        dict(base[1], id="odd:no-words", title=None, text="🚤🚤"),  # a text without words
        dict(base[1], id="odd:no-fetched", fetched_at=None),  # fetched "now", when drained
    ]


def drained(spool_dir: Path, items: list[dict[str, Any]]) -> tuple[list[SpoolEntry], Batch]:
    spool = Spool(spool_dir / "spool.sqlite")
    spool.put_many(items)
    entries = spool.lease(len(items))
    spool.close()
    store = NearDuplicates(spool_dir / "staged-nd.sqlite", 0.8)
    batch = prepare(entries, store, None, serialized=True, now=NOW)
    store.close()
    return entries, batch


def from_items(spool_dir: Path, entries: list[SpoolEntry]) -> Batch:
    """The long way: every entry rebuilt from its item, in a store of its own."""
    plain = [SpoolEntry(e.advert_id, e.seq, json.loads(e.stored()), e.attempts) for e in entries]
    store = NearDuplicates(spool_dir / "plain-nd.sqlite", 0.8)
    batch = prepare(plain, store, None, now=NOW)
    store.close()
    return batch


def test_staged_documents_are_the_documents_built_from_the_items(tmp_path: Path) -> None:
    items = corpus_items() + odd_items()
    entries, fast = drained(tmp_path, items)
    assert all(entry.staged is not None and entry.staged.format == FORMAT for entry in entries)

    slow = from_items(tmp_path, entries)

    assert len(fast.documents) == len(slow.documents) == len(items)
    for (_, fast_id, fast_doc), (_, slow_id, slow_doc) in zip(fast.documents, slow.documents, strict=True):
        assert isinstance(fast_doc, bytes)
        assert fast_id == slow_id
        assert json.loads(fast_doc) == slow_doc
    assert [entry._item for entry in entries] == [None] * len(entries)  # no item was parsed


def test_an_item_that_cannot_become_a_document_is_spooled_and_dead_lettered_with_the_reason(
    tmp_path: Path,
) -> None:
    good = corpus_items(("nl",))[0]
    bad = dict(good, id="bad:date", fetched_at="gisteren")
    assert stage(bad) is None

    entries, batch = drained(tmp_path, [good, bad])

    assert entries[1].staged is None
    assert [entry.advert_id for entry, _ in batch.rejected] == ["bad:date"]
    assert batch.rejected[0][1] == "bad item: 'fetched_at' is not an ISO 8601 date: 'gisteren'"
    assert [entry.advert_id for entry, _, _ in batch.documents] == [good["id"]]


def test_a_body_staged_by_other_code_is_built_again_from_the_item(tmp_path: Path) -> None:
    item = corpus_items(("fr",))[0]
    spool = Spool(tmp_path / "spool.sqlite")
    spool.put(item)
    with sqlite3.connect(spool.path) as db:  # as if put by another version of the indexer
        db.execute("UPDATE entries SET document = ?, document_format = 'older'", (b'{"stale":true}',))
    (entry,) = spool.lease(1)
    spool.close()

    batch = prepare([entry], NearDuplicates(tmp_path / "nd.sqlite", 0.8), None, serialized=True, now=NOW)

    (_, _, document) = batch.documents[0]
    assert isinstance(document, bytes)
    assert "stale" not in json.loads(document)
    assert json.loads(document)["advert_id"] == item["id"]


def test_a_spool_from_before_staging_is_drained_the_long_way(tmp_path: Path) -> None:
    item = corpus_items(("tr",))[0]
    path = tmp_path / "spool.sqlite"
    with sqlite3.connect(path) as db:  # the schema as it was, one entry waiting
        db.executescript(
            "CREATE TABLE entries (advert_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, item TEXT NOT NULL, "
            "put_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, "
            "not_before REAL NOT NULL DEFAULT 0, lease TEXT);"
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
            "INSERT INTO meta VALUES ('seq', 1);"
        )
        db.execute(
            "INSERT INTO entries (advert_id, seq, item, put_at) VALUES (?, 1, ?, 0)",
            (item["id"], json.dumps(item)),
        )
    spool = Spool(path)
    (entry,) = spool.lease(5)

    batch = prepare([entry], NearDuplicates(tmp_path / "nd.sqlite", 0.8), None, serialized=True, now=NOW)

    assert entry.staged is None and entry.signature is None
    assert json.loads(batch.documents[0][2])["advert_id"] == item["id"]
    assert spool.ack([entry]) == 1
    assert spool.counts().pending == 0


@pytest.mark.parametrize("signature", [None, b"", b"\x00" * 7])
def test_without_a_usable_signature_the_drain_computes_it(tmp_path: Path, signature: bytes | None) -> None:
    item = corpus_items(("en",))[0]
    spool = Spool(tmp_path / "spool.sqlite")
    spool.put_many([item, dict(item, id="repost")])
    with sqlite3.connect(spool.path) as db:
        db.execute("UPDATE entries SET signature = ? WHERE advert_id = 'repost'", (signature,))
    entries = spool.lease(2)
    store = NearDuplicates(tmp_path / "nd.sqlite", 0.8)

    batch = prepare(entries, store, None, serialized=True, now=NOW)

    clusters = {json.loads(document)["cluster"]["id"] for _, _, document in batch.documents}
    if signature == b"":  # stored as "no words": it stays out of every cluster
        assert len(clusters) == 2
    else:  # recomputed from the text: the repost joins the advert's cluster
        assert len(clusters) == 1
