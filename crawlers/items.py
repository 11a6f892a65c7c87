"""The advert item: one advert as the crawler found it, before and after enrichment.

Every spider builds ``Advert`` objects; the pipelines add the enrichment and the evidence
references and store ``Advert.record()`` in the spool. The id is stable across runs: the
source name with the advert's canonical URL, or with ``<channel>/<message id>`` for Telegram.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from w3lib.url import canonicalize_url

from crawlers.text import normalized_for_hash


# A listing page's link is canonicalized for its id, then again when its advert page is read.
@lru_cache(maxsize=4096)
def canonical_url(url: str) -> str:
    """The URL without fragment, with sorted query arguments and a lower-case scheme and host."""
    return str(canonicalize_url(url, keep_fragments=False))


def advert_id(source: str, locator: str) -> str:
    """``<source>:<canonical URL>`` or ``<source>:<channel>/<message id>``."""
    return f"{source}:{locator}"


def text_sha256(text: str) -> str:
    return hashlib.sha256(normalized_for_hash(text).encode("utf-8")).hexdigest()


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Capture:
    """A raw response kept for evidence: what came over the wire (or, for rendered pages, the
    DOM after the script ran) and a screenshot when there is one. Shared by every advert read
    from the same response; never stored in the spool itself."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime
    rendered: bool = False
    screenshot: bytes | None = None
    # Filled by the evidence pipeline once written, so a shared capture is written once.
    references: list[dict[str, Any]] | None = None


@dataclass
class Advert:
    id: str
    source: str
    kind: str
    url: str
    fetched_at: datetime
    text: str
    title: str | None = None
    posted_at: datetime | None = None
    # What the page showed as the date ("منذ يومين"), kept next to the parsed value.
    posted_text: str | None = None
    author: str | None = None
    outlinks: list[str] = field(default_factory=list)
    text_sha256: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)
    # Kind-specific fields: price_text, location_text, views, forwarded_from, reply_to, ...
    details: dict[str, Any] = field(default_factory=dict)
    enrichment: dict[str, Any] | None = None
    # The enrichment record as the worker process sent it (pickled), when the worker also writes
    # the spool: the crawl process only carries it back there, so it never unpacks it.
    enrichment_packed: bytes | None = field(default=None, repr=False)
    capture: Capture | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.text_sha256:
            self.text_sha256 = text_sha256(self.text)

    def record(self, *, packed: bool = False) -> dict[str, Any]:
        """The JSON-able form stored in the spool (the raw capture stays out).

        ``packed``: a packed enrichment record stays packed (bytes; see ``unpack_record``)."""
        record: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "kind": self.kind,
            "url": self.url,
            "fetched_at": _iso(self.fetched_at),
            "posted_at": _iso(self.posted_at) if self.posted_at else None,
            "posted_text": self.posted_text,
            "title": self.title,
            "text": self.text,
            "author": self.author,
            "outlinks": list(self.outlinks),
            "text_sha256": self.text_sha256,
            "evidence": list(self.evidence),
        }
        for key, value in self.details.items():
            record.setdefault(key, value)
        if self.enrichment is not None:
            record["enrichment"] = self.enrichment
        elif self.enrichment_packed is not None:
            record["enrichment"] = self.enrichment_packed
            if not packed:
                unpack_record(record)
        return record

    def nlp_text(self) -> str:
        """Title and body as one text, the way the enrichment reads an advert."""
        return f"{self.title}\n{self.text}" if self.title and self.title not in self.text else self.text


def pack_enrichment(enrichment: dict[str, Any]) -> bytes:
    return pickle.dumps(enrichment, protocol=pickle.HIGHEST_PROTOCOL)


def unpack_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its packed enrichment unpacked, in place (the key keeps its place)."""
    enrichment = record.get("enrichment")
    if isinstance(enrichment, bytes):
        # Packed by our own enrichment worker (pack_enrichment), never read from outside.
        record["enrichment"] = pickle.loads(enrichment)  # noqa: S301
    return record


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
