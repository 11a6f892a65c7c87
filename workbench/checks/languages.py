"""Languages a keyword file names that the pipeline cannot tell apart.

A term under ``es`` looks valid to the schema (any two or three letters) but no advert is ever
detected as Spanish: the supported languages are those with a profile in ``languages.yaml``
(the merged configuration's ``languages``), plus ``any``. CLDR locales for country names must be
known to Babel, and a profile's ``langdetect`` code must be one langdetect has a profile for.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

from radar.config.documents import Document
from radar.config.keywords import KeywordFile, TermGroup
from radar.config.positions import Loc
from radar.errors import Code
from workbench.checks.findings import Finding, finding


def _group_keys(groups: Sequence[TermGroup], base: Loc) -> Iterator[tuple[str, Loc]]:
    for index, group in enumerate(groups):
        for language in group.terms:
            yield language, (*base, index, "terms", language)


def language_keys(kw: KeywordFile) -> Iterator[tuple[str, Loc]]:
    """Every language code the file uses as a key or value, with its place."""
    for section in ("documents", "document_qualifiers", "services", "transport"):
        yield from _group_keys(getattr(kw, section), (section,))
    if kw.prices is not None:
        yield from _group_keys(kw.prices.kinds, ("prices", "kinds"))
        for index, currency in enumerate(kw.prices.currencies):
            for language in currency.words:
                yield language, ("prices", "currencies", index, "words", language)
        for language in kw.prices.number_words:
            yield language, ("prices", "number_words", language)
        for language in kw.prices.range_words:
            yield language, ("prices", "range_words", language)
    if kw.contacts is not None:
        yield from _group_keys(kw.contacts.platforms, ("contacts", "platforms"))
        for language in kw.contacts.language_regions:
            yield language, ("contacts", "language_regions", language)
        for language in kw.contacts.digit_words:
            yield language, ("contacts", "digit_words", language)
    for index, rule in enumerate(kw.relevance.rules if kw.relevance else []):
        for language in rule.terms or {}:
            yield language, ("relevance", "rules", index, "terms", language)
    for language in kw.place_cues:
        yield language, ("place_cues", language)
    for index, place in enumerate(kw.places):
        for position, language in enumerate(place.only_in):
            yield language, ("places", index, "only_in", position)
    if kw.gazetteer is not None:
        for position, language in enumerate(kw.gazetteer.strict_locales):
            yield language, ("gazetteer", "strict_locales", position)


@cache
def _babel_knows(code: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


@cache
def langdetect_codes() -> frozenset[str]:
    import langdetect

    profiles = Path(langdetect.__file__).parent / "profiles"
    return frozenset(path.name for path in profiles.iterdir()) if profiles.is_dir() else frozenset()


def unsupported_languages(
    pairs: Sequence[tuple[Document, KeywordFile]], supported: frozenset[str]
) -> Iterator[Finding]:
    """Language keys without a profile; unknown CLDR locales; unknown langdetect codes."""
    listing = ", ".join(sorted(supported))
    for doc, kw in pairs:
        if supported:  # without a languages.yaml beside it, a lone file cannot be judged
            for code, loc in language_keys(kw):
                if code != "any" and code not in supported:
                    message = (
                        f"language '{code}' is not supported: languages.yaml has no profile for it, so no "
                        f"advert is ever read as '{code}' (supported: {listing}, or 'any')"
                    )
                    yield finding(doc.path, doc.tree, loc, message, Code.KEYWORD_UNSUPPORTED_LANGUAGE)
        if kw.gazetteer is not None:
            for position, code in enumerate(kw.gazetteer.country_name_locales):
                if not _babel_knows(code):
                    loc = ("gazetteer", "country_name_locales", position)
                    message = f"CLDR (Babel) has no locale '{code}': no country names can be read for it"
                    yield finding(doc.path, doc.tree, loc, message, Code.KEYWORD_UNSUPPORTED_LANGUAGE)
        known = langdetect_codes()
        for code, profile in kw.languages.items():
            if profile.langdetect is not None and known and profile.langdetect not in known:
                loc = ("languages", code, "langdetect")
                message = f"langdetect has no language '{profile.langdetect}' (it knows {len(known)} codes)"
                yield finding(doc.path, doc.tree, loc, message, Code.KEYWORD_UNSUPPORTED_LANGUAGE)
