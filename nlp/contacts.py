"""``smokkelradar_contacts``: phone numbers (E.164), messenger handles and e-mail addresses.

Phones: see ``nlp.phones``; national numbers are tried against the route's countries,
then the places named, then the regions of the advert's languages, then the fallback
regions of ``contacts.yaml``. A number inside a price is not a phone.
Handles: links (``t.me/name``), ``@name`` (the messenger named just before it, else the
default platform), and user names right after a messenger word (``Signal: moro_tarifa.22``,
``ماسنجر: abu.salem.ly``). A number given for WhatsApp or Viber is a phone, not a handle.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from nlp.annotations import Analysis, HandleMention, PhoneMention, analysis_of, spans_of, wants_spans
from nlp.phones import PhoneReader
from nlp.resources import Resources
from nlp.terms import Hit, TermMatcher

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}")
_AT_HANDLE_RE = re.compile(r"(?<![\w.@])@([a-z0-9_](?:[a-z0-9_.]*[a-z0-9_])?)")
# A user name after a messenger word: it must hold a dot or underscore, so plain words are never taken.
_BARE_HANDLE_RE = re.compile(r"(?<![\w@./:])([a-z][a-z0-9]*(?:[._][a-z0-9]+)+)(?![\w@/]|\.\w)")
_LINK_NAME_RE = re.compile(r"([a-z0-9_](?:[a-z0-9_.]*[a-z0-9_])?)")
_NOT_HANDLES = frozenset({"joinchat", "share", "s", "c", "addstickers", "proxy"})
_BARE_WINDOW_CHARS = 40


class ContactTagger:
    def __init__(self, *, name: str = "smokkelradar_contacts") -> None:
        self.name = name
        self._platforms: TermMatcher[str] | None = None
        self._phones: PhoneReader | None = None
        self._links: dict[str, str] = {}
        self._links_re: re.Pattern[str] | None = None
        self._default_platform: str | None = None
        self._window = 4
        self._language_regions: dict[str, list[str]] = {}
        self._fallback: list[str] = []

    def initialize(
        self, get_examples: Any = None, *, nlp: Language | None = None, resources: Resources
    ) -> None:
        config, folder = resources.vocab.contacts, resources.folder
        platforms: TermMatcher[str] = resources.keyword_matcher()
        for group in config.platforms:
            platforms.add_terms(group.terms, group.value)
        self._platforms = platforms
        self._phones = PhoneReader(config.digit_words, folder)
        self._links = {folder.fold_term(k): v for k, v in config.links.items()}
        if self._links:
            alternatives = "|".join(re.escape(k) for k in sorted(self._links, key=len, reverse=True))
            self._links_re = re.compile(alternatives)
        self._default_platform = config.default_platform
        self._window = config.handle_window
        self._language_regions = {lang: list(regions) for lang, regions in config.language_regions.items()}
        self._fallback = list(config.fallback_regions)

    def __call__(self, doc: Doc) -> Doc:
        if self._platforms is None or self._phones is None:
            raise ValueError("smokkelradar_contacts is not initialized")
        state = analysis_of(doc)
        text = state.folded.text
        emails = [(m.start(), m.end()) for m in _EMAIL_RE.finditer(text)] if "@" in text else []
        state.emails = list(dict.fromkeys(state.text[slice(*state.folded.original_span(s, e))].lower()
                                          for s, e in emails))  # fmt: skip
        state.phones = self._read_phones(state)
        platform_hits = self._platforms.match(state.tokens, state.gate, state.words, state.candidates)
        state.handles = self._read_handles(doc, state, platform_hits, emails)
        if wants_spans(doc):
            doc.spans["phones"] = spans_of(doc, state, ((p.start, p.end, "PHONE") for p in state.phones))
        return doc

    def _regions(self, state: Analysis) -> Iterator[str]:
        """Where a national number is tried, most likely first: smugglers advertise from where
        the journey starts, in the language of where they live; then the places named. (Listed only
        when the phone reader asks: most adverts hold too few digits for a phone number.)"""
        route = state.route
        if route.origin:
            yield route.origin
        yield from self._language_regions.get(state.language, [])
        yield from (m.country for m in state.places)
        yield from (c for c in (*route.transit, route.destination) if c)
        for language in state.languages[1:]:
            yield from self._language_regions.get(language, [])
        yield from self._fallback

    def _read_phones(self, state: Analysis) -> list[PhoneMention]:
        if self._phones is None:
            return []
        found = self._phones.read(state.folded.text, state.tokens, self._regions(state), state.words)
        price_spans = [(p.start, p.end) for p in state.prices]
        phones: dict[str, PhoneMention] = {}
        for phone in found:
            start, end = state.folded.original_span(phone.start, phone.end)
            if any(start < p_end and p_start < end for p_start, p_end in price_spans):
                continue  # the amount of a price, not a number to call
            phones.setdefault(phone.e164, PhoneMention(phone.e164, phone.region, start, end))
        return list(phones.values())

    def _read_handles(
        self, doc: Doc, state: Analysis, platforms: list[Hit[str]], emails: list[tuple[int, int]]
    ) -> list[HandleMention]:
        text = state.folded.text
        handles: dict[tuple[str, str], HandleMention] = {}

        def add(platform: str | None, start: int, end: int) -> None:
            if platform is None or any(s <= start < e for s, e in emails):
                return
            o_start, o_end = state.folded.original_span(start, end)
            value = state.text[o_start:o_end]
            handles.setdefault((platform, value.lower()), HandleMention(platform, value, o_start, o_end))

        if self._links_re is not None and "/" in text:
            for found in self._links_re.finditer(text):
                name = _LINK_NAME_RE.match(text, found.end())
                if name and name.group(1) not in _NOT_HANDLES and not name.group(1).isdigit():
                    add(self._links[found.group()], name.start(1), name.end(1))
        for match in _AT_HANDLE_RE.finditer(text) if "@" in text else ():
            if len(match.group(1)) >= 3:
                add(self._platform_before(state, platforms, match.start()), match.start(1), match.end(1))
        for hit in platforms:
            line_end = text.find("\n", hit.end)
            stop = min(hit.end + _BARE_WINDOW_CHARS, len(text) if line_end < 0 else line_end)
            bare = _BARE_HANDLE_RE.search(text, hit.end, stop)
            if bare and self._within_tokens(state, hit.last, bare.start()):
                add(hit.payload, bare.start(1), bare.end(1))
        return list(handles.values())

    def _platform_before(self, state: Analysis, platforms: list[Hit[str]], position: int) -> str | None:
        """The messenger named within the window before ``position`` on its line, else the default."""
        text, tokens = state.folded.text, state.tokens
        for hit in reversed(platforms):
            if hit.end > position:
                continue
            if "\n" in text[hit.end : position]:
                break
            between = sum(1 for t in tokens[hit.last :] if t.start < position)
            if between <= self._window + 2:
                return hit.payload
            break
        return self._default_platform

    def _within_tokens(self, state: Analysis, after: int, position: int) -> bool:
        return sum(1 for t in state.tokens[after:] if t.end <= position) <= self._window + 2


@Language.factory("smokkelradar_contacts", default_config={})
def make_contact_tagger(nlp: Language, name: str) -> ContactTagger:
    return ContactTagger(name=name)
