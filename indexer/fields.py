"""The field definitions of an advert document: one table from which every mapping is derived.

The adverts index template (``indexer.templates``) and, later, the alerts' percolator index
build their mappings from :func:`advert_properties`, so a field a saved search filters on is
always mapped the same way in both. ``docs/indexing.md`` lists the fields with their meaning.

Text is indexed twice: ``text``/``title`` with a language-neutral analyzer (so every advert is
findable, whatever its language), and ``text_<lang>``/``title_<lang>`` with that language's
analyzer, filled only for the languages detected in the advert (``LANGUAGE_ANALYZERS``).
Every analyzer uses only analysis components that a stock Elasticsearch 8 has, so the same
template works on the local node and on a production cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Bump when the mapping changes in a way existing indices cannot take in place
# (`smokkelradar index migrate` then copies into a new index version).
MAPPING_VERSION = 1

NEUTRAL_ANALYZER = "smokkelradar_neutral"
ARABIC_ANALYZER = "smokkelradar_arabic"
LOWERCASE_NORMALIZER = "smokkelradar_lowercase"

# Detected language (ISO 639) -> analyzer of its text_<lang> field. Languages without an analyzer
# of their own (Pashto, Urdu, Kurmanji, Tigrinya, Amharic, Somali, ...) are searched through the
# neutral field only. Arabic uses our own chain because the built-in one leaves the Persian yeh
# and keheh (ی ک), common in Arabic typed on Persian keyboards, as they are.
LANGUAGE_ANALYZERS: dict[str, str] = {
    "ar": ARABIC_ANALYZER,
    "fa": "persian",
    "ckb": "sorani",
    "tr": "turkish",
    "en": "english",
    "fr": "french",
    "nl": "dutch",
    "de": "german",
    "it": "italian",
    "el": "greek",
    "ru": "russian",
}

# Fields that hold the advert's words, each with per-language copies.
TEXT_FAMILIES = ("title", "text")


def language_field(family: str, language: str) -> str:
    """``language_field("text", "ar")`` -> ``"text_ar"``."""
    return f"{family}_{language}"


@dataclass(frozen=True)
class FieldDef:
    """One field: its dotted path, its Elasticsearch mapping and what it holds."""

    path: str
    mapping: dict[str, Any]
    about: str


KEYWORD = {"type": "keyword"}
LOWER_KEYWORD = {"type": "keyword", "normalizer": LOWERCASE_NORMALIZER}
DATE = {"type": "date"}
DOUBLE = {"type": "double"}
NEUTRAL_TEXT = {"type": "text", "analyzer": NEUTRAL_ANALYZER}
# Offsets into the advert text: kept for highlighting, never searched.
OFFSET = {"type": "integer", "index": False}

# The table. Objects are implied by dotted paths and mapped strict (see _object).
ADVERT_FIELDS: tuple[FieldDef, ...] = (
    # identity and provenance
    FieldDef("advert_id", KEYWORD, "the crawler's stable advert id (source + canonical URL or message id)"),
    FieldDef("source", KEYWORD, "name of the configured source"),
    FieldDef("kind", KEYWORD, "source kind: listing, telegram, feed, sitemap, rendered"),
    FieldDef("url", {"type": "keyword", "ignore_above": 2048}, "where the advert was read"),
    FieldDef("author", LOWER_KEYWORD, "author or handle shown with the advert"),
    FieldDef("outlinks", {"type": "keyword", "ignore_above": 2048}, "links in the advert"),
    FieldDef("text_sha256", KEYWORD, "SHA-256 of the normalized text (from the crawler)"),
    FieldDef("truncated", {"type": "boolean"}, "the text was cut for enrichment (very long input)"),
    # words
    FieldDef("title", NEUTRAL_TEXT, "title as written, language-neutral analysis"),
    FieldDef("text", NEUTRAL_TEXT, "text as written (kept for re-enrichment), language-neutral analysis"),
    # dates (UTC)
    FieldDef("posted_at", DATE, "when the advert says it was posted"),
    FieldDef("fetched_at", DATE, "when the crawler read it (this version)"),
    FieldDef("date", DATE, "posted_at, else fetched_at: what date filters, sorting and histograms use"),
    FieldDef("first_seen", DATE, "first time this advert was fetched"),
    FieldDef("last_seen", DATE, "last time this advert was fetched"),
    FieldDef("indexed_at", DATE, "when this version was indexed"),
    # language
    FieldDef("language", KEYWORD, "primary language (ISO 639)"),
    FieldDef("language_confidence", {"type": "float"}, "confidence of the primary language"),
    FieldDef("languages", KEYWORD, "every language seen in the advert"),
    # places and routes
    FieldDef("route.origin", KEYWORD, "origin country (ISO 3166 alpha-2)"),
    FieldDef("route.transit", KEYWORD, "transit countries"),
    FieldDef("route.destination", KEYWORD, "destination country"),
    FieldDef("countries", KEYWORD, "every country named, in any role"),
    FieldDef("places.text", KEYWORD, "place name as written"),
    FieldDef("places.country", KEYWORD, "country of the place"),
    FieldDef("places.role", KEYWORD, "origin, transit, destination or none"),
    FieldDef("places.location", {"type": "geo_point"}, "coordinates of the place"),
    FieldDef("places.start", OFFSET, "offset of the place in the text"),
    FieldDef("places.end", OFFSET, "end offset of the place in the text"),
    # prices
    FieldDef("prices.amount", DOUBLE, "amount as written"),
    FieldDef("prices.currency", KEYWORD, "ISO 4217 currency"),
    FieldDef("prices.eur", DOUBLE, "amount in EUR"),
    FieldDef("prices.kind", KEYWORD, "per_person, deposit, total, per_document or unknown"),
    FieldDef("prices.start", OFFSET, "offset of the price in the text"),
    FieldDef("prices.end", OFFSET, "end offset of the price in the text"),
    FieldDef("price_eur.min", DOUBLE, "lowest price in EUR"),
    FieldDef("price_eur.max", DOUBLE, "highest price in EUR"),
    FieldDef("currencies", KEYWORD, "currencies named in prices"),
    # what is offered
    FieldDef("documents", KEYWORD, "document types offered"),
    FieldDef("transport", KEYWORD, "means of transport offered"),
    # contacts
    FieldDef("phones.e164", KEYWORD, "phone number, E.164"),
    FieldDef("phones.region", KEYWORD, "region of the phone number"),
    FieldDef("phones.start", OFFSET, "offset of the number in the text"),
    FieldDef("phones.end", OFFSET, "end offset of the number in the text"),
    FieldDef("handles.platform", KEYWORD, "telegram, whatsapp, signal, viber, instagram, facebook"),
    FieldDef("handles.value", LOWER_KEYWORD, "user name on that platform, without '@'"),
    FieldDef("emails", LOWER_KEYWORD, "mail addresses"),
    # relevance
    FieldDef("score", {"type": "float"}, "relevance 0..1: offers smuggling or document services"),
    FieldDef("rules.rule", KEYWORD, "rule that fired"),
    FieldDef("rules.weight", {"type": "float"}, "its weight"),
    FieldDef(
        "keywords_version", KEYWORD, "content hash of the keyword configuration that tagged it (nlp.version)"
    ),
    # near-duplicate cluster (maintained by indexer.clusters)
    FieldDef("cluster.id", KEYWORD, "near-duplicate cluster id (the doc id of its first advert)"),
    FieldDef("cluster.size", {"type": "integer"}, "adverts in the cluster"),
    FieldDef("cluster.repost_count", {"type": "integer"}, "size - 1: how often it was reposted"),
    FieldDef("cluster.first_seen", DATE, "earliest date of any advert in the cluster"),
    FieldDef("cluster.last_seen", DATE, "latest date of any advert in the cluster"),
    FieldDef("cluster.sources", KEYWORD, "sources the cluster was seen in"),
    # evidence and cases
    FieldDef("evidence.kind", KEYWORD, "warc or screenshot"),
    FieldDef("evidence.path", KEYWORD, "file, relative to the evidence folder (may be shared by adverts)"),
    FieldDef("evidence.sha256", KEYWORD, "SHA-256 of the evidence file"),
    FieldDef("evidence.captured_at", DATE, "when it was captured"),
    FieldDef("cases", KEYWORD, "case references the advert is pinned to (kept from retention)"),
    # item fields we do not map (views, reply_to, ...): stored, never indexed, never lost
    FieldDef("extra", {"type": "object", "enabled": False}, "other item fields, stored as they came"),
)


def _language_fields() -> tuple[FieldDef, ...]:
    return tuple(
        FieldDef(
            language_field(family, language),
            {"type": "text", "analyzer": analyzer},
            f"{family} of adverts in language {language}, analysed by {analyzer}",
        )
        for family in TEXT_FAMILIES
        for language, analyzer in LANGUAGE_ANALYZERS.items()
    )


def advert_field_defs() -> tuple[FieldDef, ...]:
    """Every field of an advert document, language copies included."""
    return ADVERT_FIELDS + _language_fields()


def _object() -> dict[str, Any]:
    # strict: a field name the converter misspells is rejected (dead letter), not silently added.
    return {"type": "object", "dynamic": "strict", "properties": {}}


def advert_properties() -> dict[str, Any]:
    """The ``properties`` of the advert mapping, nested by dotted path."""
    root: dict[str, Any] = {}
    for field in advert_field_defs():
        *parents, leaf = field.path.split(".")
        level = root
        for parent in parents:
            level = level.setdefault(parent, _object())["properties"]
        level[leaf] = dict(field.mapping)
    return root


def advert_mappings() -> dict[str, Any]:
    """The complete ``mappings`` block of the adverts index."""
    return {
        "dynamic": "strict",
        "_meta": {"mapping_version": MAPPING_VERSION},
        "properties": advert_properties(),
    }


def analysis_settings() -> dict[str, Any]:
    """Analyzers and normalizers the mappings refer to (index ``settings.analysis``)."""
    return {
        "analyzer": {
            # Language-neutral: digits, Arabic-script letter variants, case and accents folded.
            NEUTRAL_ANALYZER: {
                "type": "custom",
                "tokenizer": "standard",
                "filter": [
                    "lowercase",
                    "decimal_digit",
                    "persian_normalization",
                    "arabic_normalization",
                    "asciifolding",
                ],
            },
            ARABIC_ANALYZER: {
                "type": "custom",
                "tokenizer": "standard",
                "filter": [
                    "lowercase",
                    "decimal_digit",
                    "persian_normalization",
                    "arabic_normalization",
                    "arabic_stem",
                ],
            },
        },
        "normalizer": {LOWERCASE_NORMALIZER: {"type": "custom", "filter": ["lowercase"]}},
    }


def text_search_fields() -> list[str]:
    """The fields a free-text query runs over, titles weighted higher."""
    fields = ["title^2", "text"]
    for language in LANGUAGE_ANALYZERS:
        fields += [f"{language_field('title', language)}^2", language_field("text", language)]
    return fields
