"""Adverts pinned to a case: kept from retention whatever their age.

The pins are recorded in SQLite under the state folder (the authority: they survive a
re-index, a migration and an index rebuilt from scratch) and copied into the advert
documents' ``cases`` field, so officers can search and filter by case.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from radar.errors import Code, RadarError
from radar.sqlite import open_database

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

SCHEMA = """
CREATE TABLE IF NOT EXISTS pins (
    advert_id TEXT NOT NULL,
    case_ref TEXT NOT NULL,
    pinned_at REAL NOT NULL,
    PRIMARY KEY (advert_id, case_ref)
);
"""


class Pins:
    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._db = open_database(path)
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def pin(self, advert_id: str, case_ref: str) -> bool:
        """Pin an advert to a case; False when it already was."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO pins (advert_id, case_ref, pinned_at) VALUES (?, ?, ?)",
                (advert_id, case_ref, time.time()),
            )
        return cursor.rowcount == 1

    def unpin(self, advert_id: str, case_ref: str) -> bool:
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM pins WHERE advert_id = ? AND case_ref = ?", (advert_id, case_ref)
            )
        return cursor.rowcount == 1

    def cases_for(self, advert_ids: Iterable[str]) -> dict[str, list[str]]:
        """Case references per advert id (adverts without pins are left out)."""
        ids = list(advert_ids)
        found: dict[str, list[str]] = {}
        with self._lock:
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(
                    f"SELECT advert_id, case_ref FROM pins WHERE advert_id IN ({marks}) ORDER BY case_ref",  # noqa: S608
                    part,
                ).fetchall()
                for advert_id, case_ref in rows:
                    found.setdefault(advert_id, []).append(case_ref)
        return found

    def pinned(self) -> dict[str, list[str]]:
        """Every pinned advert id with its cases."""
        with self._lock:
            rows = self._db.execute("SELECT advert_id, case_ref FROM pins ORDER BY advert_id, case_ref")
            found: dict[str, list[str]] = {}
            for advert_id, case_ref in rows.fetchall():
                found.setdefault(advert_id, []).append(case_ref)
        return found


def find_advert(client: Elasticsearch, alias: str, ident: str) -> tuple[str, str]:
    """(doc id, advert id) of the advert known by this advert id or document id."""
    response = client.search(
        index=alias,
        query={"bool": {"should": [{"term": {"advert_id": ident}}, {"ids": {"values": [ident]}}]}},
        size=1,
        source_includes=["advert_id"],
    )
    hits = response["hits"]["hits"]
    if not hits:
        raise RadarError(Code.ADVERT_NOT_FOUND, f"no advert with id {ident!r} in {alias}")
    return hits[0]["_id"], hits[0]["_source"]["advert_id"]


def pin_advert(client: Elasticsearch, alias: str, pins: Pins, ident: str, case_ref: str) -> tuple[str, bool]:
    """Pin an advert to a case in the pin store and on its document; (advert id, newly pinned)."""
    case_ref = case_ref.strip()
    if not case_ref:
        raise RadarError(Code.SEARCH_BAD_REQUEST, "a case reference must not be empty")
    document_id, advert_id = find_advert(client, alias, ident)
    added = pins.pin(advert_id, case_ref)
    cases = pins.cases_for([advert_id]).get(advert_id, [])
    client.update(index=alias, id=document_id, doc={"cases": cases}, refresh="wait_for")
    return advert_id, added
