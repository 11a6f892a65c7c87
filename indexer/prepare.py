"""One batch of spool entries made ready to send: cluster placement, case pins, documents.

Items that cannot become a document are set aside with the reason (they go to the dead
letters); an unforeseen failure on one item never blocks the entries behind it.

With ``serialized=True`` (the drain) the documents come out as JSON bytes, and an entry whose
document the spool staged at put time (``indexer.staging``, same code version) is finished
from that: its item is never parsed. Every other entry takes the long way, from the item; both
ways give the same document (a unit test holds them to it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeGuard

from indexer.dedup import NearDuplicates, Sighting
from indexer.document import (
    BadItemError,
    advert_document,
    advert_id_of,
    doc_id,
    drain_fields,
    flatten,
    iso_utc,
)
from indexer.minhash import NUM_PERM, advert_text
from indexer.pins import Pins
from indexer.serialize import dumps
from indexer.spool import SpoolEntry
from indexer.staging import FORMAT, Staged, finish
from radar.logs import get_logger

log = get_logger("indexer.prepare")

# A document as built (a dict) or, with serialized=True, as sent (JSON bytes).
Document = dict[str, Any] | bytes


@dataclass
class Batch:
    entries: list[SpoolEntry]
    documents: list[tuple[SpoolEntry, str, Document]] = field(default_factory=list)  # (entry, _id, doc)
    rejected: list[tuple[SpoolEntry, str]] = field(default_factory=list)  # (entry, reason)


def _reject(batch: Batch, entry: SpoolEntry, error: Exception) -> None:
    if isinstance(error, BadItemError):
        batch.rejected.append((entry, f"bad item: {error}"))
    else:
        log.exception("item could not be converted", extra={"advert_id": entry.advert_id})
        batch.rejected.append((entry, f"bad item: {type(error).__name__}: {error}"))


def _sighting(flat: dict[str, Any], fetched_default: str | None, signature: bytes | None = None) -> Sighting:
    advert_id = advert_id_of(flat)
    source = flat.get("source")
    if not isinstance(source, str) or not source:
        raise BadItemError("the item has no 'source'")
    fetched = iso_utc(flat.get("fetched_at"), "fetched_at") or fetched_default
    date = iso_utc(flat.get("posted_at"), "posted_at") or fetched
    return Sighting(advert_id, doc_id(advert_id), source, advert_text(flat), date, fetched, signature)


def _staged_sighting(entry: SpoolEntry, staged: Staged, fetched_default: str | None) -> Sighting:
    """The same sighting as :func:`_sighting`, from what was staged (the text is not needed then)."""
    fetched = staged.fetched or fetched_default
    date = staged.posted or fetched
    return Sighting(
        entry.advert_id, doc_id(entry.advert_id), staged.source, "", date, fetched, entry.signature
    )


def _usable(staged: Staged | None, signature: bytes | None) -> TypeGuard[Staged]:
    """Whether an entry can be finished from what was staged: this code's format, a signature stored."""
    return (
        staged is not None
        and staged.format == FORMAT
        and signature is not None
        and len(signature) in (0, NUM_PERM * 4)  # b"": text without words
    )


def prepare(
    entries: list[SpoolEntry],
    store: NearDuplicates,
    pins: Pins | None,
    *,
    serialized: bool = False,
    now: datetime | None = None,
) -> Batch:
    """Place every entry in its cluster and build its document (as JSON bytes with ``serialized``)."""
    batch = Batch(entries)
    now = now or datetime.now(UTC)
    fetched_default = iso_utc(now, "now")  # an item without fetched_at was fetched about now
    # (entry, the flattened item or None when finished from the staged body, sighting)
    sighted: list[tuple[SpoolEntry, dict[str, Any] | None, Sighting]] = []
    for entry in entries:
        staged = entry.staged
        try:
            if serialized and _usable(staged, entry.signature):
                sighted.append((entry, None, _staged_sighting(entry, staged, fetched_default)))
                continue
            flat = flatten(entry.item)
            sighted.append((entry, flat, _sighting(flat, fetched_default, entry.signature)))
        except Exception as error:  # a shape nobody foresaw must not block the spool behind it
            _reject(batch, entry, error)
    placements, clusters = store.place([sighting for _, _, sighting in sighted])
    cases = pins.cases_for(sighting.advert_id for _, _, sighting in sighted) if pins else {}
    for entry, item, sighting in sighted:
        placement = placements[sighting.advert_id]
        cluster, advert_cases = clusters[placement.cluster_id], cases.get(sighting.advert_id, ())
        first_seen, last_seen = placement.first_seen, placement.last_seen
        document: Document
        try:
            if item is None and entry.staged is not None:  # staged: append what only the drain knows
                fields = drain_fields(
                    cluster=cluster, first_seen=first_seen, last_seen=last_seen, cases=advert_cases, now=now
                )
                document = finish(entry.staged.body, fields)
            else:
                document = advert_document(
                    item or {},
                    cluster=cluster,
                    first_seen=first_seen,
                    last_seen=last_seen,
                    cases=advert_cases,
                    now=now,
                )
                if serialized:
                    document = dumps(document)
        except Exception as error:
            _reject(batch, entry, error)
            continue
        batch.documents.append((entry, sighting.doc_id, document))
    return batch
