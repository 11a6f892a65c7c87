"""Every keyword term of a configuration, with where it is written and what it means.

The pipeline compiles terms into one matcher per concern (``nlp.documents``, ``nlp.transport``,
``nlp.prices``, ``nlp.contacts``, ``nlp.relevance``, ``nlp.places``); inside a concern a term
carries a payload (the label it tags, the rule it fires, the role it gives a place). The
semantic checks compare terms within a concern, so the inventory groups them the same way
and remembers each term's file and key path, to report at its line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radar.config.documents import Document
from radar.config.keywords import KeywordFile, TermGroup
from radar.config.positions import Loc

# Concerns whose matcher strips the glued prefixes and suffixes of normalization.yaml.
AFFIX_CONCERNS = frozenset(
    {"documents", "document qualifiers", "services", "transport", "price kinds", "messenger words"}
    | {"currencies", "relevance"}
)
PLACES = "places"


@dataclass(frozen=True)
class TermEntry:
    """One term as written: ``concern`` and ``payload`` say what it does, ``loc`` where it is."""

    term: str
    language: str  # ISO 639 code, or "any"
    concern: str
    payload: str
    path: Path
    tree: Any  # the file's round-trip YAML tree (for line numbers)
    loc: Loc
    order: int  # position in merge order: earlier entries win where the pipeline keeps the first


def _groups(
    doc: Document, groups: Sequence[TermGroup], concern: str, base: Loc
) -> Iterator[tuple[str, str, str, Loc]]:
    for index, group in enumerate(groups):
        for language, terms in group.terms.items():
            for position, term in enumerate(terms):
                yield term, language, group.value, (*base, index, "terms", language, position)


def _file_entries(doc: Document, kw: KeywordFile) -> Iterator[tuple[str, str, str, str, Loc]]:
    """(concern, term, language, payload, loc) of every term of one file."""
    sections: tuple[tuple[str, Sequence[TermGroup], Loc], ...] = (
        ("documents", kw.documents, ("documents",)),
        ("document qualifiers", kw.document_qualifiers, ("document_qualifiers",)),
        ("services", kw.services, ("services",)),
        ("transport", kw.transport, ("transport",)),
        ("price kinds", kw.prices.kinds if kw.prices else [], ("prices", "kinds")),
        ("messenger words", kw.contacts.platforms if kw.contacts else [], ("contacts", "platforms")),
    )
    for concern, groups, base in sections:
        for term, language, payload, loc in _groups(doc, groups, concern, base):
            yield concern, term, language, payload, loc
    for index, currency in enumerate(kw.prices.currencies if kw.prices else []):
        for position, symbol in enumerate(currency.symbols):
            yield (
                "currencies",
                symbol,
                "any",
                currency.code,
                ("prices", "currencies", index, "symbols", position),
            )
        for language, words in currency.words.items():
            for position, word in enumerate(words):
                loc = ("prices", "currencies", index, "words", language, position)
                yield "currencies", word, language, currency.code, loc
    for index, rule in enumerate(kw.relevance.rules if kw.relevance else []):
        for language, terms in (rule.terms or {}).items():
            for position, term in enumerate(terms):
                loc = ("relevance", "rules", index, "terms", language, position)
                yield "relevance", term, language, rule.name, loc
    for language, cues in kw.place_cues.items():
        before = {"origin": "origin", "transit": "transit", "destination": "destination", "then": "next"}
        for key, role in (*before.items(), ("none", "none")):
            for position, word in enumerate(getattr(cues, key)):
                yield "place cues", word, language, role, ("place_cues", language, key, position)
        for key in ("origin_after", "transit_after", "destination_after"):
            for position, word in enumerate(getattr(cues, key)):
                role = key.removesuffix("_after")
                yield "place cues after", word, language, role, ("place_cues", language, key, position)
    for index, place in enumerate(kw.places):
        payload = f"{place.name} ({place.country})"
        yield PLACES, place.name, "any", payload, ("places", index, "name")
        for position, name in enumerate(place.names):
            yield PLACES, name, "any", payload, ("places", index, "names", position)
    for country, names in kw.country_aliases.items():
        for position, name in enumerate(names):
            yield PLACES, name, "any", f"the country {country}", ("country_aliases", country, position)


def term_entries(pairs: Sequence[tuple[Document, KeywordFile]]) -> list[TermEntry]:
    """Every term of every file, in merge order (the order the pipeline adds them)."""
    entries: list[TermEntry] = []
    for doc, kw in pairs:
        for concern, term, language, payload, loc in _file_entries(doc, kw):
            entries.append(TermEntry(term, language, concern, payload, doc.path, doc.tree, loc, len(entries)))
    return entries


def all_strings(value: Any) -> Iterator[str]:
    """Every string in a model dump, keys included: what 'the configuration contains' for suggestions."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from all_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from all_strings(item)
