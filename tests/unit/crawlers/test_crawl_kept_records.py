"""The enrichment worker's kept records: what it takes instead of unpickling a spool batch's
packed enrichment must be exactly what unpickling gives.
"""

from __future__ import annotations

import pickle

from crawlers.items import pack_enrichment, unpack_record
from crawlers.pipelines.kept_records import KeptRecords

RECORD = {
    "language": "ar",
    "places": [{"text": "ليبيا", "country": "LY", "start": 3, "end": 8, "lat": 26.3, "lon": 17.2}],
    "prices": [{"amount": 2500, "currency": "EUR", "eur": 2500.0}],
    "score": 0.93,
    "truncated": False,
}


def test_kept_records_give_what_unpickling_gives() -> None:
    kept = KeptRecords(limit=3)
    first = kept.pack(dict(RECORD))
    again = kept.pack(dict(RECORD))  # a repost: the same record, the same bytes, kept once
    assert first == again == pack_enrichment(RECORD) and len(kept) == 1
    other = kept.pack({**RECORD, "score": 0.5})
    for packed in (first, again, other):
        record = {"id": "a", "enrichment": packed, "after": 1}
        expected = unpack_record(dict(record))
        assert kept.unpack(record) == expected
        assert list(record) == ["id", "enrichment", "after"]  # the key keeps its place
        assert pickle.dumps(record) == pickle.dumps(expected)
    assert len(kept) == 0  # every use counted: nothing left behind
    # Bytes it does not know (another worker's, or forgotten) are unpickled.
    assert kept.unpack({"enrichment": pack_enrichment({"x": 1})}) == {"enrichment": {"x": 1}}
    assert kept.unpack({"enrichment": None}) == {"enrichment": None}


def test_kept_records_forget_the_oldest_beyond_their_limit() -> None:
    kept = KeptRecords(limit=2)
    packed = [kept.pack({"n": n}) for n in range(3)]  # adverts dropped on the way: never unpacked
    assert len(kept) == 2
    assert [kept.unpack({"enrichment": p})["enrichment"] for p in packed] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert len(kept) == 0
