"""From a spooled advert item to the Elasticsearch document, and the document id.

An item is the crawler's raw advert (issue 3: ``id``, ``source``, ``kind``, ``url``,
``fetched_at``, ``posted_at``, ``title``, ``text``, ``author``, ``outlinks``, ``text_sha256``,
``evidence``) plus the NLP enrichment record (issue 4: ``language``, ``languages``, ``places``,
``route``, ``prices``, ``documents``, ``transport``, ``phones``, ``handles``, ``emails``,
``score``, ``rules``, ``truncated``), either flat or nested under ``"enrichment"``. Before
enrichment lands an item carries only the raw fields; it is indexed all the same.

Item keys this module does not know go to ``extra`` (stored, not indexed), so nothing the
crawler collected is lost. A value of the wrong shape raises :class:`BadItemError` with the reason;
the drain puts such an item in the dead-letter table.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from indexer.fields import LANGUAGE_ANALYZERS, TEXT_FAMILIES, language_field

RAW_KEYS = frozenset(
    {"id", "source", "kind", "url", "fetched_at", "posted_at", "title", "text", "author", "outlinks"}
    | {"text_sha256", "evidence", "enrichment"}
)
ENRICHMENT_KEYS = frozenset(
    {"language", "language_confidence", "languages", "places", "route", "prices", "documents"}
    | {"transport", "phones", "handles", "emails", "score", "rules", "truncated", "keywords_version"}
)
KNOWN_KEYS = RAW_KEYS | ENRICHMENT_KEYS
# What the drain adds to the body of a document (see drain_fields): everything else depends on
# the item alone, so the spool can build it when the item is put (indexer.staging).
DRAIN_FIELDS = ("first_seen", "last_seen", "indexed_at", "cluster", "cases")


LANGUAGE_COPY = re.compile("(?:" + "|".join(TEXT_FAMILIES) + ")_[a-z]{2,3}")


class BadItemError(ValueError):
    """An item that cannot become a document; the message is the dead-letter reason."""


@dataclass(frozen=True)
class ClusterInfo:
    """What the index keeps about an advert's near-duplicate cluster."""

    id: str
    size: int
    first_seen: str | None
    last_seen: str | None
    sources: tuple[str, ...]

    def as_field(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "size": self.size,
            "repost_count": self.size - 1,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "sources": list(self.sources),
        }


def doc_id(advert_id: str) -> str:
    """The document ``_id``: fixed length whatever the URL, the same on every re-index."""
    return hashlib.sha256(advert_id.encode("utf-8")).hexdigest()[:32]


def advert_id_of(item: Mapping[str, Any]) -> str:
    advert_id = item.get("id")
    if not isinstance(advert_id, str) or not advert_id.strip():
        raise BadItemError(f"the item has no 'id' (a non-empty string); got {advert_id!r}")
    return advert_id


def flatten(item: Mapping[str, Any]) -> dict[str, Any]:
    """Raw fields and enrichment in one mapping (enrichment may be nested under "enrichment")."""
    flat = {key: value for key, value in item.items() if key != "enrichment"}
    enrichment = item.get("enrichment")
    if enrichment is not None:
        if not isinstance(enrichment, Mapping):
            raise BadItemError(f"'enrichment' must be a mapping, got {type(enrichment).__name__}")
        for key, value in enrichment.items():
            if key in ENRICHMENT_KEYS:
                flat[key] = value
    return flat


def iso_utc(value: Any, field: str) -> str | None:
    """An ISO 8601 UTC timestamp from a string or datetime; naive values are taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return _iso_utc_text(value)
        except ValueError as error:
            raise BadItemError(f"'{field}' is not an ISO 8601 date: {value!r}") from error
    if isinstance(value, datetime):
        return _utc_text(value)
    raise BadItemError(f"'{field}' must be a date string, got {type(value).__name__}")


@lru_cache(maxsize=4096)  # the drain meets each date twice (cluster, then document), many often
def _iso_utc_text(value: str) -> str:
    return _utc_text(datetime.fromisoformat(value.replace("Z", "+00:00")))


@lru_cache(maxsize=256)  # the drain stamps a whole batch with one indexed_at
def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Whole seconds in one fixed format, so stored timestamps also compare correctly as text.
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _text(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None or isinstance(value, str):
        return value
    raise BadItemError(f"'{key}' must be text, got {type(value).__name__}")


def _list(item: Mapping[str, Any], key: str) -> list[Any]:
    value = item.get(key)
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    raise BadItemError(f"'{key}' must be a list, got {type(value).__name__}")


def _strings(item: Mapping[str, Any], key: str) -> list[str]:
    values = _list(item, key)
    if not all(isinstance(value, str) for value in values):
        raise BadItemError(f"'{key}' must be a list of strings, got {values!r}")
    return values


def _records(item: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    values = _list(item, key)
    for value in values:
        if not isinstance(value, Mapping):
            raise BadItemError(f"every entry of '{key}' must be a mapping, got {value!r}")
    return values


def _number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadItemError(f"{what} must be a number, got {value!r}")
    return float(value)


def _places(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    places = []
    for place in _records(item, "places"):
        entry: dict[str, Any] = {
            "text": place.get("text"),
            "country": place.get("country"),
            "role": place.get("role"),
            "start": place.get("start"),
            "end": place.get("end"),
        }
        lat, lon = _number(place.get("lat"), "a place's lat"), _number(place.get("lon"), "a place's lon")
        if lat is not None and lon is not None:
            entry["location"] = {"lat": lat, "lon": lon}
        places.append(entry)
    return places


def _route(item: Mapping[str, Any]) -> dict[str, Any]:
    route = item.get("route") or {}
    if not isinstance(route, Mapping):
        raise BadItemError(f"'route' must be a mapping, got {route!r}")
    ends = {"origin": route.get("origin"), "destination": route.get("destination")}
    for end, code in ends.items():
        if code is not None and not isinstance(code, str):
            raise BadItemError(f"route {end} must be a country code, got {code!r}")
    return {**ends, "transit": _strings(route, "transit")}


def _prices(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    keys = ("amount", "currency", "eur", "kind", "start", "end")
    prices = [{key: price.get(key) for key in keys} for price in _records(item, "prices")]
    for price in prices:
        price["amount"] = _number(price["amount"], "a price's amount")
        price["eur"] = _number(price["eur"], "a price's eur")
    return prices


def _phones(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    phones = []
    for phone in _list(item, "phones"):
        if isinstance(phone, str):  # a bare E.164 number
            phones.append({"e164": phone, "region": None, "start": None, "end": None})
        elif isinstance(phone, Mapping):
            phones.append({key: phone.get(key) for key in ("e164", "region", "start", "end")})
        else:
            raise BadItemError(f"every entry of 'phones' must be a mapping or a string, got {phone!r}")
    return phones


def _handles(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    handles = []
    for handle in _records(item, "handles"):
        value = handle.get("value")
        if isinstance(value, str):
            value = value.strip().lstrip("@")
        handles.append({"platform": handle.get("platform"), "value": value})
    return handles


def _evidence(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = item.get("evidence")
    if isinstance(raw, Mapping):  # {"warc": {...}, "screenshot": {...}}
        raw = [dict(value, kind=kind) for kind, value in raw.items() if isinstance(value, Mapping)]
    records = _records({"evidence": raw}, "evidence")
    return [
        {
            "kind": record.get("kind"),
            "path": None if record.get("path") is None else str(record.get("path")),
            "sha256": record.get("sha256"),
            "captured_at": iso_utc(record.get("captured_at"), "evidence captured_at"),
        }
        for record in records
    ]


def _unique(values: Sequence[Any]) -> list[str]:
    # Only text: a value of another shape stays in its own field, where the mapping judges it.
    return sorted({value for value in values if isinstance(value, str) and value})


def advert_document(
    item: Mapping[str, Any],
    *,
    cluster: ClusterInfo,
    first_seen: str | None,
    last_seen: str | None,
    cases: Sequence[str] = (),
    now: datetime | None = None,
) -> dict[str, Any]:
    """The document to index for ``item``; raises :class:`BadItemError` when a value has the wrong shape."""
    return document_body(item) | drain_fields(
        cluster=cluster, first_seen=first_seen, last_seen=last_seen, cases=cases, now=now
    )


def drain_fields(
    *,
    cluster: ClusterInfo,
    first_seen: str | None,
    last_seen: str | None,
    cases: Sequence[str] = (),
    now: datetime | None = None,
) -> dict[str, Any]:
    """The fields only the drain knows (``DRAIN_FIELDS``): cluster, when seen, when indexed, case pins."""
    return {
        "first_seen": first_seen,
        "last_seen": last_seen,
        "indexed_at": iso_utc(now or datetime.now(UTC), "indexed_at"),
        "cluster": cluster.as_field(),
        "cases": sorted(set(cases)),
    }


def document_body(item: Mapping[str, Any]) -> dict[str, Any]:
    """Every field of ``item``'s document but ``DRAIN_FIELDS``: what the item alone decides.

    Raises :class:`BadItemError` when a value has the wrong shape.
    """
    flat = flatten(item) if "enrichment" in item else item  # prepare passes it flat already
    advert_id = advert_id_of(flat)
    source = _text(flat, "source")
    if not source:
        raise BadItemError("the item has no 'source'")
    title, text = _text(flat, "title"), _text(flat, "text")
    if text is None and title is None:
        raise BadItemError("the item has neither 'text' nor 'title'")
    posted_at = iso_utc(flat.get("posted_at"), "posted_at")
    fetched_at = iso_utc(flat.get("fetched_at"), "fetched_at")
    route, places, prices = _route(flat), _places(flat), _prices(flat)
    language = _text(flat, "language")
    languages = _unique([language, *_strings(flat, "languages")])
    euros = [price["eur"] for price in prices if price["eur"] is not None]
    doc: dict[str, Any] = {
        "advert_id": advert_id,
        "source": source,
        "kind": _text(flat, "kind"),
        "url": _text(flat, "url"),
        "author": _text(flat, "author"),
        "outlinks": _strings(flat, "outlinks"),
        "text_sha256": _text(flat, "text_sha256"),
        "truncated": bool(flat.get("truncated", False)),
        "title": title,
        "text": text,
        "posted_at": posted_at,
        "fetched_at": fetched_at,
        "date": posted_at or fetched_at,
        "language": language,
        "language_confidence": _number(flat.get("language_confidence"), "language_confidence"),
        "languages": languages,
        "route": route,
        "countries": _unique(
            [route["origin"], route["destination"], *route["transit"], *(p["country"] for p in places)]
        ),
        "places": places,
        "prices": prices,
        "price_eur": {"min": min(euros), "max": max(euros)} if euros else None,
        "currencies": _unique([price["currency"] for price in prices]),
        "documents": _strings(flat, "documents"),
        "transport": _strings(flat, "transport"),
        "phones": _phones(flat),
        "handles": _handles(flat),
        "emails": _strings(flat, "emails"),
        "score": _number(flat.get("score"), "score"),
        "rules": [{"rule": r.get("rule"), "weight": r.get("weight")} for r in _records(flat, "rules")],
        "keywords_version": _text(flat, "keywords_version"),
        "evidence": _evidence(flat),
    }
    for family, value in zip(TEXT_FAMILIES, (title, text), strict=True):
        for code in languages:
            if code in LANGUAGE_ANALYZERS and value:
                doc[language_field(family, code)] = value
    extra = {key: value for key, value in flat.items() if key not in KNOWN_KEYS}
    if extra:
        doc["extra"] = extra
    return doc


def with_language_fields(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document with its per-language copies rebuilt from ``title``, ``text`` and ``languages``.

    Migrations pass every copied document through this, so a language added to (or removed
    from) ``LANGUAGE_ANALYZERS`` takes effect in the new index version.
    """
    doc = {key: value for key, value in document.items() if not _is_language_copy(key)}
    for family in TEXT_FAMILIES:
        value = doc.get(family)
        for code in doc.get("languages") or []:
            if code in LANGUAGE_ANALYZERS and value:
                doc[language_field(family, code)] = value
    return doc


def _is_language_copy(key: str) -> bool:
    # text_ar, title_ckb, ... (but not text_sha256)
    return LANGUAGE_COPY.fullmatch(key) is not None
