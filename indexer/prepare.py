"""One batch of spool entries made ready to send: cluster placement, case pins, documents.

Items that cannot become a document are set aside with the reason (they go to the dead
letters); an unforeseen failure on one item never blocks the entries behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from indexer.dedup import NearDuplicates, Sighting
from indexer.document import BadItemError, advert_document, advert_id_of, doc_id, flatten, iso_utc
from indexer.pins import Pins
from indexer.spool import SpoolEntry
from radar.logs import get_logger

log = get_logger("indexer.prepare")


@dataclass
class Batch:
    entries: list[SpoolEntry]
    documents: list[tuple[SpoolEntry, str, dict[str, Any]]] = field(default_factory=list)  # (entry, _id, doc)
    rejected: list[tuple[SpoolEntry, str]] = field(default_factory=list)  # (entry, reason)


def _reject(batch: Batch, entry: SpoolEntry, error: Exception) -> None:
    if isinstance(error, BadItemError):
        batch.rejected.append((entry, f"bad item: {error}"))
    else:
        log.exception("item could not be converted", extra={"advert_id": entry.advert_id})
        batch.rejected.append((entry, f"bad item: {type(error).__name__}: {error}"))


def _sighting(flat: dict[str, Any], fetched_default: str | None) -> Sighting:
    advert_id = advert_id_of(flat)
    source = flat.get("source")
    if not isinstance(source, str) or not source:
        raise BadItemError("the item has no 'source'")
    fetched = iso_utc(flat.get("fetched_at"), "fetched_at") or fetched_default
    date = iso_utc(flat.get("posted_at"), "posted_at") or fetched
    text = " ".join(value for value in (flat.get("title"), flat.get("text")) if isinstance(value, str))
    return Sighting(advert_id, doc_id(advert_id), source, text, date, fetched)


def prepare(entries: list[SpoolEntry], store: NearDuplicates, pins: Pins | None) -> Batch:
    """Place every entry in its cluster and build its document."""
    batch = Batch(entries)
    now = datetime.now(UTC)
    fetched_default = iso_utc(now, "now")  # an item without fetched_at was fetched about now
    sighted: list[tuple[SpoolEntry, dict[str, Any], Sighting]] = []
    for entry in entries:
        try:
            flat = flatten(entry.item)
            sighted.append((entry, flat, _sighting(flat, fetched_default)))
        except Exception as error:  # a shape nobody foresaw must not block the spool behind it
            _reject(batch, entry, error)
    placements = store.assign([sighting for _, _, sighting in sighted])
    clusters = store.stats(placement.cluster_id for placement in placements.values())
    cases = pins.cases_for(sighting.advert_id for _, _, sighting in sighted) if pins else {}
    for entry, flat, sighting in sighted:
        placement = placements[sighting.advert_id]
        try:
            document = advert_document(
                flat,
                cluster=clusters[placement.cluster_id],
                first_seen=placement.first_seen,
                last_seen=placement.last_seen,
                cases=cases.get(sighting.advert_id, ()),
                now=now,
            )
        except Exception as error:
            _reject(batch, entry, error)
            continue
        batch.documents.append((entry, sighting.doc_id, document))
    return batch
