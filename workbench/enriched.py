"""An indexed advert re-enriched: its text as the pipeline reads it, and the fields the enrichment owns.

The index keeps the raw ``title`` and ``text`` of every advert, so a changed keyword
configuration can be applied to adverts already indexed. What changes is exactly what
``indexer.document.advert_document`` derives from an enrichment record (language and its
per-language text copies, places, route, countries, prices, currencies, documents, transport,
contacts, score, rules, version); the identity, dates, cluster, evidence and case pins stay.
Building those fields through the indexer's own converter means a re-tagged advert looks
exactly like one indexed fresh with the new configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from indexer.document import ClusterInfo, advert_document
from indexer.fields import LANGUAGE_ANALYZERS, TEXT_FAMILIES, language_field

# Document fields computed from the enrichment record (indexer.document.advert_document).
ENRICHED_FIELDS: tuple[str, ...] = (
    "language", "language_confidence", "languages", "route", "countries", "places", "prices",
    "price_eur", "currencies", "documents", "transport", "phones", "handles", "emails", "score",
    "rules", "truncated", "keywords_version",
)  # fmt: skip
# What a re-enrichment reads of a stored advert.
SOURCE_FIELDS: tuple[str, ...] = (
    "advert_id", "source", "kind", "url", "title", "text", "date", "indexed_at", "cluster.id",
    *ENRICHED_FIELDS,
)  # fmt: skip
_NO_CLUSTER = ClusterInfo("-", 1, None, None, ())


def pipeline_text(title: str | None, text: str | None) -> str:
    """Title and body as the crawler gave them to the enrichment (``crawlers.items.Advert.nlp_text``):
    the title first unless the body already holds it. Offsets in the record count in this text."""
    body = text or ""
    return f"{title}\n{body}" if title and title not in body else body


def text_of(stored: Mapping[str, Any]) -> str:
    return pipeline_text(stored.get("title"), stored.get("text"))


def enriched_fields(stored: Mapping[str, Any], record: Mapping[str, Any]) -> dict[str, Any]:
    """The enrichment-owned fields of ``stored`` after enrichment ``record``, per-language copies
    included; copies of languages no longer detected are set to None (a partial update clears them)."""
    item = {
        "id": stored.get("advert_id") or "-",
        "source": stored.get("source") or "-",
        "title": stored.get("title"),
        "text": stored.get("text"),
        "enrichment": dict(record),
    }
    document = advert_document(item, cluster=_NO_CLUSTER, first_seen=None, last_seen=None)
    fields = {name: document.get(name) for name in ENRICHED_FIELDS}
    old_languages = set(stored.get("languages") or [])
    new_languages = set(fields["languages"] or [])
    for family in TEXT_FAMILIES:
        for code in sorted((old_languages | new_languages) & set(LANGUAGE_ANALYZERS)):
            key = language_field(family, code)
            fields[key] = document.get(key)
    return fields


def changed(stored: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
    """Whether the enrichment-owned fields differ from what is stored (the version aside)."""
    return any(stored.get(name) != fields.get(name) for name in ENRICHED_FIELDS if name != "keywords_version")
