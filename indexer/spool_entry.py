"""What the spool hands out and reports: leased entries, dead letters, counts; and how an item
is written (``encode_item``). ``indexer.spool`` re-exports all of them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from indexer.serialize import dumps, json_default
from indexer.staging import Staged
from radar.errors import Code, RadarError


class SpoolEntry:
    """One spooled item handed to a drain, with what ``put`` staged for it (None where nothing was).

    The item is parsed from its stored JSON on first use of ``item``: the drain's usual path
    works from the staged document and never needs it.
    """

    __slots__ = ("_item", "advert_id", "attempts", "seq", "signature", "staged", "text")

    def __init__(
        self,
        advert_id: str,
        seq: int,
        item: dict[str, Any] | None = None,
        attempts: int = 0,
        signature: bytes | None = None,
        *,
        text: str | bytes | None = None,
        staged: Staged | None = None,
    ) -> None:
        if item is None and text is None:
            raise ValueError("a spool entry needs its item or the item's JSON text")
        self.advert_id = advert_id
        self.seq = seq
        self.attempts = attempts
        self.signature = signature
        self.staged = staged
        self.text = text  # the item's JSON as stored (UTF-8 bytes from a lease: no decoding unless needed)
        self._item = item

    @property
    def item(self) -> dict[str, Any]:
        if self._item is None:
            self._item = json.loads(self.text or "")
        return self._item

    def stored(self) -> str:
        """The item's JSON text as the spool keeps it."""
        if isinstance(self.text, bytes):
            return self.text.decode("utf-8")
        return self.text if self.text is not None else encode_item(self.item)[1]

    def __repr__(self) -> str:
        return f"SpoolEntry({self.advert_id!r}, seq={self.seq}, attempts={self.attempts})"


@dataclass(frozen=True)
class DeadLetter:
    advert_id: str
    reason: str
    attempts: int
    failed_at: datetime
    item: dict[str, Any]


@dataclass(frozen=True)
class SpoolCounts:
    pending: int  # waiting to be handed out (includes entries waiting for a retry)
    leased: int  # handed to a drain, not yet acknowledged
    retrying: int  # pending entries that failed at least once
    dead: int  # rejected by Elasticsearch, in the dead-letter table

    def as_dict(self) -> dict[str, int]:
        return {"pending": self.pending, "leased": self.leased, "retrying": self.retrying, "dead": self.dead}


def encode_item(item: Mapping[str, Any]) -> tuple[str, str]:
    """(advert id, JSON text) of an item; raises RadarError(SPOOL_BAD_ITEM) with the reason."""
    advert_id, encoded = encode_item_utf8(item)
    return advert_id, encoded.decode("utf-8")


def encode_item_utf8(item: Mapping[str, Any]) -> tuple[str, bytes]:
    """(advert id, JSON text as UTF-8) of an item, as :func:`encode_item` checks and writes it."""
    advert_id = item.get("id")
    if not isinstance(advert_id, str) or not advert_id.strip():
        raise RadarError(
            Code.SPOOL_BAD_ITEM,
            f"cannot spool an item without an 'id' (a non-empty string); got id={advert_id!r} "
            f"from source {item.get('source')!r}, url {item.get('url')!r}",
        )
    try:
        encoded = dumps(dict(item), default=json_default)
    except (TypeError, ValueError) as error:
        raise RadarError(Code.SPOOL_BAD_ITEM, f"cannot spool item {advert_id!r}: {error}") from error
    return advert_id, encoded
