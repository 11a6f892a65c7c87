"""What the spool works out when an item is put, so that the drain has less to do.

The drain runs beside Elasticsearch and competes with it for the CPU; the crawler, which puts
items into the spool, does not. So ``Spool.put`` stages each item: its MinHash signature, its
document without the fields only the drain knows (``indexer.document.DRAIN_FIELDS``: cluster,
first and last seen, indexed at, case pins) serialized, and the facts the near-duplicate store
needs (source, posted, fetched). The drain then places the advert in its cluster and appends
those fields to the staged body (:func:`finish`), without parsing the item at all.

A staged body is valid only for the code that built it: :data:`FORMAT` is a digest of the
modules that decide a document's shape, and the drain builds the document from the item again
when an entry's format differs (after an upgrade), when nothing was staged (an item that cannot
become a document: the drain puts it in the dead letters with the reason), or for entries
spooled before staging existed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from indexer import document, fields
from indexer.document import document_body
from indexer.minhash import advert_text, signatures
from indexer.serialize import dumps, json_default


def _format() -> str:
    digest = hashlib.sha256()
    for module in (document, fields):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:16]


FORMAT = _format()


class Staged(NamedTuple):
    """One item's staged document body and sighting facts (``posted``/``fetched``: ISO UTC or None).

    A named tuple: the drain makes one per leased entry, and a frozen dataclass costs four times
    as much to make."""

    format: str
    body: bytes
    source: str
    posted: str | None
    fetched: str | None


def stage(item: Mapping[str, Any]) -> Staged | None:
    """The staged document of an item, or None when it cannot become one (the drain says why).

    Values JSON cannot hold are written as the spool writes them (``json_default``), so the body
    is what the drain would build from the item read back from the spool.
    """
    try:
        body = document_body(item)
        encoded = dumps(body, default=json_default)
    except Exception:  # whatever it is, the drain meets it again on the item and reports it
        return None
    return Staged(FORMAT, encoded, body["source"], body["posted_at"], body["fetched_at"])


def signature_blobs(items: Sequence[Mapping[str, Any]]) -> list[bytes | None]:
    """The items' MinHash signatures as stored: bytes, ``b""`` for text without words, None if not known."""
    try:
        found = signatures([advert_text(item) for item in items])
    except Exception:  # never a reason to refuse an item: the drain computes it again
        return [None] * len(items)
    return [b"" if sig is None else sig.tobytes() for sig in found]


def finish(body: bytes, drain_fields: Mapping[str, Any]) -> bytes:
    """The serialized document: the staged body with the drain's fields appended."""
    # Both are JSON objects: drop the body's closing brace and the fields' opening one.
    return body[:-1] + b"," + dumps(drain_fields)[1:]
