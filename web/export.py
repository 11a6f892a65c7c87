"""The current result set as CSV or JSON, up to a size limit.

A search matching more adverts than the limit is refused as a whole (with the count and the
limit in the message) rather than cut silently: a partial export that looks complete is
worse than none. Every CSV cell that a spreadsheet would read as a formula is prefixed with
an apostrophe, because advert text is written by the people being investigated.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from indexer.search import Hit, search
from radar.errors import Code, RadarError
from web.search_params import SearchForm

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

PAGE = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "advert_id", "doc_id", "date", "source", "language", "origin", "transit", "destination",
    "prices", "price_eur_min", "price_eur_max", "documents", "transport", "phones", "handles",
    "emails", "cluster_id", "repost_count", "cases", "url", "title", "text",
)  # fmt: skip
ANALYST_ONLY = ("rules", "score")


class ExportTooLargeError(RadarError):
    def __init__(self, total: int, limit: int) -> None:
        super().__init__(
            Code.WEB_EXPORT_TOO_LARGE,
            f"this search matches {total:,} adverts; an export holds at most {limit:,}. "
            "Narrow the search (a date range, a source or another filter) and export again.",
        )
        self.total = total
        self.limit = limit


def collect(client: Elasticsearch, alias: str, form: SearchForm, limit: int) -> list[Hit]:
    """Every hit of the search (all pages), or ExportTooLargeError when there are more than ``limit``."""
    request = form.request(limit=min(PAGE, limit), facets=False, paged=False)
    result = search(client, alias, request)
    if result.total > limit or not result.total_is_exact:
        raise ExportTooLargeError(result.total, limit)
    hits = list(result.hits)
    while result.next_cursor and len(hits) < limit:
        result = search(client, alias, replace(request, search_after=result.next_cursor))
        hits.extend(result.hits)
    return hits[:limit]


def neutral(value: Any) -> str:
    """A cell as text that no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _join(values: Sequence[Any]) -> str:
    return " | ".join(str(v) for v in values if v not in (None, ""))


def csv_row(hit: Hit) -> list[str]:
    doc: Mapping[str, Any] = hit.source
    route = doc.get("route") or {}
    prices = doc.get("prices") or []
    cluster = doc.get("cluster") or {}
    bounds = doc.get("price_eur") or {}
    values = {
        "advert_id": doc.get("advert_id"),
        "doc_id": hit.doc_id,
        "date": doc.get("date"),
        "source": doc.get("source"),
        "language": doc.get("language"),
        "origin": route.get("origin"),
        "transit": _join(route.get("transit") or []),
        "destination": route.get("destination"),
        "prices": _join([f"{p.get('amount')} {p.get('currency')}" for p in prices if isinstance(p, dict)]),
        "price_eur_min": bounds.get("min"),
        "price_eur_max": bounds.get("max"),
        "documents": _join(doc.get("documents") or []),
        "transport": _join(doc.get("transport") or []),
        "phones": _join([p.get("e164") for p in doc.get("phones") or [] if isinstance(p, dict)]),
        "handles": _join(
            [f"{h.get('platform')}:{h.get('value')}" for h in doc.get("handles") or [] if isinstance(h, dict)]
        ),
        "emails": _join(doc.get("emails") or []),
        "cluster_id": cluster.get("id"),
        "repost_count": cluster.get("repost_count"),
        "cases": _join(doc.get("cases") or []),
        "url": doc.get("url"),
        "title": doc.get("title"),
        "text": doc.get("text"),
    }
    return [neutral(values[column]) for column in CSV_COLUMNS]


def to_csv(hits: Sequence[Hit]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for hit in hits:
        writer.writerow(csv_row(hit))
    # The byte-order mark makes spreadsheet programs read UTF-8 (Arabic, Persian, Ge'ez) correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_json(hits: Sequence[Hit], *, search_query: str, user: str, with_rules: bool) -> bytes:
    adverts = []
    for hit in hits:
        advert = hit.as_dict()
        if not with_rules:
            for name in ANALYST_ONLY:
                advert.pop(name, None)
        adverts.append(advert)
    body = {
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "exported_by": user,
        "search": search_query,
        "count": len(adverts),
        "adverts": adverts,
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
