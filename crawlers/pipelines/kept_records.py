"""The enrichment records the worker packed, kept until the spool batch that brings them back.

The enrichment worker sends each record to the crawl process packed (``crawlers.items.
pack_enrichment``); the crawl keeps it that way, to write the spool batch itself should the worker
die, and otherwise hands it back with the batch for the worker to write. The record that was
packed into those bytes is exactly what unpickling them gives, so the worker takes it from here
instead of unpickling it again (that was ≈10 % of its spool writes).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from crawlers.items import pack_enrichment, unpack_record

# An advert dropped on its way to the spool leaves its record behind: the oldest go beyond this
# many (a few MB; a crawl has a few hundred adverts between enrichment and spool at most).
MAX_KEPT_RECORDS = 2048


class KeptRecords:
    """The enrichment records this worker packed lately, by their packed bytes.

    Equal bytes are an equal record (reposts of one text): kept once and counted, so each use
    finds it. Bytes it does not know (forgotten, or packed by another worker) are unpickled as
    before. The records are only read after packing (serialized into the spool), never changed.
    """

    def __init__(self, limit: int = MAX_KEPT_RECORDS) -> None:
        self.limit = limit
        self._records: OrderedDict[bytes, list[Any]] = OrderedDict()  # bytes -> [record, uses left]

    def pack(self, record: dict[str, Any]) -> bytes:
        packed = pack_enrichment(record)
        kept = self._records.get(packed)
        if kept is not None:
            kept[1] += 1
        else:
            self._records[packed] = [record, 1]
            if len(self._records) > self.limit:
                self._records.popitem(last=False)
        return packed

    def unpack(self, record: dict[str, Any]) -> dict[str, Any]:
        """``unpack_record``, from the kept record when there is one."""
        packed = record.get("enrichment")
        if isinstance(packed, bytes):
            kept = self._records.get(packed)
            if kept is not None:
                kept[1] -= 1
                if not kept[1]:
                    del self._records[packed]
                record["enrichment"] = kept[0]
                return record
        return unpack_record(record)

    def __len__(self) -> int:
        return len(self._records)
