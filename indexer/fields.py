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
    mapping: dict[str, Any]  # as any index that holds the field maps it (the alerts' too)
    about: str
    # A facet officers see with every search. The adverts index builds its global ordinals (the
    # terms of all segments numbered together) when it refreshes, not on the first search
    # after; only for fields with few distinct values, where that costs next to nothing.
    facet: bool = False


KEYWORD = {"type": "keyword"}
LOWER_KEYWORD = {"type": "keyword", "normalizer": LOWERCASE_NORMALIZER}
DATE = {"type": "date"}
DOUBLE = {"type": "double"}
NEUTRAL_TEXT = {"type": "text", "analyzer": NEUTRAL_ANALYZER}
# Offsets into the advert text: kept for highlighting, never searched.
OFFSET = {"type": "integer", "index": False}

# What each kind of field in the table below is mapped as.
KINDS: dict[str, dict[str, Any]] = {
    "keyword": KEYWORD,
    "facet": KEYWORD,  # a keyword officers filter on and see counted (FieldDef.facet)
    "lower": LOWER_KEYWORD,  # matched without case
    "long": {"type": "keyword", "ignore_above": 2048},  # URLs: longer ones stored, not indexed
    "text": NEUTRAL_TEXT,
    "date": DATE,
    "double": DOUBLE,
    "float": {"type": "float"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "geo_point": {"type": "geo_point"},
    "offset": OFFSET,
    "stored": {"type": "object", "enabled": False},  # kept in _source, never indexed
}

# The table: (dotted path, kind, what it holds). Objects are implied by dotted paths and mapped
# strict (see _object); "<x>.start" / "<x>.end" offset pairs are added by _span.
_TABLE: tuple[tuple[str, str, str], ...] = (
    # identity and provenance
    ("advert_id", "keyword", "the crawler's stable advert id (source + canonical URL or message id)"),
    ("source", "facet", "name of the configured source"),
    ("kind", "keyword", "source kind: listing, telegram, feed, sitemap, rendered"),
    ("url", "long", "where the advert was read"),
    ("author", "lower", "author or handle shown with the advert"),
    ("outlinks", "long", "links in the advert"),
    ("text_sha256", "keyword", "SHA-256 of the normalized text (from the crawler)"),
    ("truncated", "boolean", "the text was cut for enrichment (very long input)"),
    # words
    ("title", "text", "title as written, language-neutral analysis"),
    ("text", "text", "text as written (kept for re-enrichment), language-neutral analysis"),
    # dates (UTC)
    ("posted_at", "date", "when the advert says it was posted"),
    ("fetched_at", "date", "when the crawler read it (this version)"),
    ("date", "date", "posted_at, else fetched_at: what date filters, sorting and histograms use"),
    ("first_seen", "date", "first time this advert was fetched"),
    ("last_seen", "date", "last time this advert was fetched"),
    ("indexed_at", "date", "when this version was indexed"),
    # language
    ("language", "keyword", "primary language (ISO 639)"),
    ("language_confidence", "float", "confidence of the primary language"),
    ("languages", "facet", "every language seen in the advert"),
    # places and routes
    ("route.origin", "facet", "origin country (ISO 3166 alpha-2)"),
    ("route.transit", "facet", "transit countries"),
    ("route.destination", "facet", "destination country"),
    ("countries", "keyword", "every country named, in any role"),
    ("places.text", "keyword", "place name as written"),
    ("places.country", "keyword", "country of the place"),
    ("places.role", "keyword", "origin, transit, destination or none"),
    ("places.location", "geo_point", "coordinates of the place"),
    # prices
    ("prices.amount", "double", "amount as written"),
    ("prices.currency", "keyword", "ISO 4217 currency"),
    ("prices.eur", "double", "amount in EUR"),
    ("prices.kind", "keyword", "per_person, deposit, total, per_document or unknown"),
    ("price_eur.min", "double", "lowest price in EUR"),
    ("price_eur.max", "double", "highest price in EUR"),
    ("currencies", "facet", "currencies named in prices"),
    # what is offered
    ("documents", "facet", "document types offered"),
    ("transport", "facet", "means of transport offered"),
    # contacts
    ("phones.e164", "keyword", "phone number, E.164"),
    ("phones.region", "keyword", "region of the phone number"),
    ("handles.platform", "keyword", "telegram, whatsapp, signal, viber, instagram, facebook"),
    ("handles.value", "lower", "user name on that platform, without '@'"),
    ("emails", "lower", "mail addresses"),
    # relevance
    ("score", "float", "relevance 0..1: offers smuggling or document services"),
    ("rules.rule", "keyword", "rule that fired"),
    ("rules.weight", "float", "its weight"),
    ("keywords_version", "keyword", "content hash of the keyword configuration that tagged it (nlp.version)"),
    # near-duplicate cluster (maintained by indexer.clusters)
    ("cluster.id", "keyword", "near-duplicate cluster id (the doc id of its first advert)"),
    ("cluster.size", "integer", "adverts in the cluster"),
    ("cluster.repost_count", "integer", "size - 1: how often it was reposted"),
    ("cluster.first_seen", "date", "earliest date of any advert in the cluster"),
    ("cluster.last_seen", "date", "latest date of any advert in the cluster"),
    ("cluster.sources", "keyword", "sources the cluster was seen in"),
    # evidence and cases
    ("evidence.kind", "keyword", "warc or screenshot"),
    ("evidence.path", "keyword", "file, relative to the evidence folder (may be shared by adverts)"),
    ("evidence.sha256", "keyword", "SHA-256 of the evidence file"),
    ("evidence.captured_at", "date", "when it was captured"),
    ("cases", "keyword", "case references the advert is pinned to (kept from retention)"),
    # item fields we do not map (views, reply_to, ...): stored, never indexed, never lost
    ("extra", "stored", "other item fields, stored as they came"),
)

# Objects that carry the offsets of what they mark in the advert text: object -> what it is.
_SPANS = {"places": "the place", "prices": "the price", "phones": "the number"}


def _span(owner: str, what: str) -> tuple[FieldDef, ...]:
    return (
        FieldDef(f"{owner}.start", OFFSET, f"offset of {what} in the text"),
        FieldDef(f"{owner}.end", OFFSET, f"end offset of {what} in the text"),
    )


ADVERT_FIELDS: tuple[FieldDef, ...] = tuple(
    FieldDef(path, KINDS[kind], about, facet=kind == "facet") for path, kind, about in _TABLE
) + tuple(field for owner, what in _SPANS.items() for field in _span(owner, what))


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
        level[leaf] = dict(field.mapping) | ({"eager_global_ordinals": True} if field.facet else {})
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
