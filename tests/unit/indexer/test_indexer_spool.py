"""The spool: idempotent puts, leases, acknowledgements by version, dead letters, persistence."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from indexer.spool import Spool
from radar.errors import Code, RadarError


def item(advert_id: str, text: str = "boat to Italy", **extra: object) -> dict[str, object]:
    return {"id": advert_id, "source": "demo", "text": text, **extra}


@pytest.fixture
def spool(tmp_path: Path) -> Spool:
    return Spool(tmp_path / "spool.sqlite")


def test_file_is_in_wal_mode(spool: Spool) -> None:
    with sqlite3.connect(spool.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_put_is_idempotent_by_advert_id_and_the_newest_version_wins(spool: Spool) -> None:
    spool.put(item("a", "first"))
    spool.put(item("b"))
    spool.put(item("a", "second"))

    entries = spool.lease(10)

    assert [e.advert_id for e in entries] == ["b", "a"]  # the replaced entry went to the back
    assert entries[1].item["text"] == "second"
    assert spool.counts().leased == 2


def test_lease_hands_out_each_entry_once_until_released(spool: Spool) -> None:
    spool.put_many([item(str(n)) for n in range(5)])

    first, second = spool.lease(3), spool.lease(3)

    assert [e.advert_id for e in first] == ["0", "1", "2"]
    assert [e.advert_id for e in second] == ["3", "4"]
    assert spool.lease(3) == []
    spool.release(first, "Elasticsearch down")
    again = spool.lease(10)
    assert [e.advert_id for e in again] == ["0", "1", "2"]
    assert all(e.attempts == 1 for e in again)


def test_ack_removes_only_the_version_that_was_sent(spool: Spool) -> None:
    spool.put(item("a", "old"))
    (sent,) = spool.lease(1)
    spool.put(item("a", "new"))  # the crawler updated the advert while the old one was in flight

    assert spool.ack([sent]) == 0

    (waiting,) = spool.lease(1)
    assert waiting.item["text"] == "new"
    assert spool.ack([waiting]) == 1
    assert spool.counts().as_dict() == {"pending": 0, "leased": 0, "retrying": 0, "dead": 0}


def test_expired_lease_is_handed_out_again(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.sqlite", lease_seconds=0.0)
    spool.put(item("a"))

    assert [e.advert_id for e in spool.lease(1)] == ["a"]
    # a drain that died never acknowledged: the entry comes back
    assert [e.advert_id for e in spool.lease(1)] == ["a"]


def test_bury_moves_to_dead_letters_with_reason_and_requeue_brings_back(spool: Spool) -> None:
    spool.put_many([item("a"), item("b")])
    a, b = spool.lease(2)

    spool.bury([(a, "400 mapper_parsing_exception: failed to parse field [score]")])
    spool.ack([b])

    (letter,) = spool.dead_letters()
    assert letter.advert_id == "a"
    assert letter.reason.startswith("400 mapper_parsing_exception")
    assert letter.item == item("a")
    assert spool.counts().dead == 1
    assert spool.lease(5) == []

    assert spool.requeue() == 1
    assert [e.advert_id for e in spool.lease(5)] == ["a"]
    assert spool.counts().dead == 0


def test_requeue_keeps_a_newer_waiting_version(spool: Spool) -> None:
    spool.put(item("a", "bad"))
    (bad,) = spool.lease(1)
    spool.bury([(bad, "rejected")])
    spool.put(item("a", "fixed"))

    assert spool.requeue(["a"]) == 1

    (entry,) = spool.lease(5)
    assert entry.item["text"] == "fixed"


def test_entries_survive_reopening(tmp_path: Path) -> None:
    first = Spool(tmp_path / "spool.sqlite")
    first.put_many([item("a"), item("b")])
    first.lease(1)  # leased but never acknowledged: a crash
    first.close()

    second = Spool(tmp_path / "spool.sqlite", lease_seconds=0.0)
    assert second.counts().pending + second.counts().leased == 2


def test_dates_and_tuples_are_stored_as_json(spool: Spool) -> None:
    spool.put(item("a", fetched_at=datetime(2026, 10, 3, 14, 20, tzinfo=UTC), outlinks=("x",)))

    (entry,) = spool.lease(1)

    assert entry.item["fetched_at"] == "2026-10-03T14:20:00Z"
    assert entry.item["outlinks"] == ["x"]


@pytest.mark.parametrize("bad", [{"text": "no id"}, {"id": "", "text": "empty id"}, {"id": 7}])
def test_item_without_id_is_refused_with_a_clear_error(spool: Spool, bad: dict[str, object]) -> None:
    with pytest.raises(RadarError, match="without an 'id'") as raised:
        spool.put(bad)
    assert raised.value.code == Code.SPOOL_BAD_ITEM
    assert spool.counts().pending == 0


def test_unserialisable_value_is_refused_naming_the_item(spool: Spool) -> None:
    with pytest.raises(RadarError, match="cannot spool item 'a'"):
        spool.put(item("a", blob=object()))


def test_giving_back_an_unsent_batch_is_not_counted_as_a_failed_attempt(spool: Spool) -> None:
    spool.put_many([item("a"), item("b")])
    a, b = spool.lease(2)

    spool.release([a], "prepared, not sent", attempt=False)
    spool.release([b], "ConnectionError: refused")

    assert spool.counts().retrying == 1
    assert {e.advert_id: e.attempts for e in spool.lease(2)} == {"a": 0, "b": 1}


def test_a_replaced_entry_is_handed_out_while_its_old_version_is_in_flight(spool: Spool) -> None:
    spool.put(item("a", "old"))
    (old,) = spool.lease(1)
    spool.put(item("a", "new"))

    (new,) = spool.lease(1)
    spool.release([old], "Elasticsearch down")  # the old version's outcome changes nothing

    assert new.item["text"] == "new"
    assert spool.counts().as_dict() == {"pending": 0, "leased": 1, "retrying": 0, "dead": 0}
    assert spool.ack([new]) == 1
    assert spool.counts().as_dict() == {"pending": 0, "leased": 0, "retrying": 0, "dead": 0}


def test_a_lease_taken_before_the_leases_table_is_still_respected(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool.sqlite")
    spool.put_many([item("a"), item("b")])
    with sqlite3.connect(spool.path) as db:  # "a" leased the old way, by a drain still running
        db.execute("UPDATE entries SET lease = 'old', not_before = 9e9 WHERE advert_id = 'a'")

    assert spool.counts().leased == 1
    assert [e.advert_id for e in spool.lease(5)] == ["b"]


def test_put_stages_the_signature_and_the_document_body(spool: Spool) -> None:
    spool.put_many([item("a", "boat to Italy every week"), item("b", "🚤"), {"id": "c", "text": "no source"}])

    a, b, c = spool.lease(3)

    assert a.signature is not None and len(a.signature) == 4 * 128
    assert a.staged is not None and a.staged.source == "demo"
    assert b.signature == b""  # text without words
    assert c.staged is None  # cannot become a document: the drain will say why
    assert c.item == {"id": "c", "text": "no source"}
