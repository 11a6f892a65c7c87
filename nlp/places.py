"""``smokkelradar_places``: place names and flags, their roles, and the route.

Roles, strongest first (``routes.yaml`` holds every cue):
1. a glued affix: Arabic ``لإيطاليا`` -> destination, Turkish ``Libya'dan`` -> origin;
2. a cue word up to two tokens before the place (from, من, از, ካብ) or just after it
   (``اروپا ته``, ``Yunanistan üzerinden``); an "and then" word makes the place the next leg;
3. a chain of places joined by arrows or dashes (``Libya → Italy``, ``🇱🇾➡️🇮🇹``, two flags
   side by side): first origin, last destination, the rest transit;
4. a place joined to the previous one by "and"/"or"/comma shares its role.
The route takes the first origin and the last destination; every other country with a
role is a transit country, in the order named, and its places are relabelled transit.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from nlp.annotations import Analysis, PlaceMention, analysis_of, spans_of, wants_spans
from nlp.gazetteer import Place
from nlp.resources import Resources
from nlp.routes import relabel, route_of, same_line
from nlp.terms import Hit, TermMatcher

_FLAG_RE = re.compile("[\U0001f1e6-\U0001f1ff]{2}")
# E-mail addresses, links and @handles hold names that are no places (jawazat.canada.h@…, t.me/samos_…).
_NOT_PROSE_RE = re.compile(
    r"[\w.+-]+@[\w.-]+|(?:https?://|www\.)\S+|\b[\w-]+\.(?:me|com|org|net)/\S*|@\w[\w.]*"
)
# A run of non-space characters holding an "@", a "/" or "www." (where _NOT_PROSE_RE can match).
_LINK_RUN_RE = re.compile(r"(?<!\S)\S*?(?:[@/]|www\.)\S*")
_NOT_COUNTRY_FLAGS = frozenset({"EU", "UN"})
_ROLES = ("origin", "transit", "destination")
_CUE_WINDOW = 2


def _hidden_spans(text: str) -> list[tuple[int, int]]:
    """The spans of ``_NOT_PROSE_RE`` in ``text``, found only in the runs of non-space characters
    that can hold one.

    Every alternative of the pattern matches within one run of non-space characters and needs an
    ``@``, a ``/`` or ``www.`` in it. Run over the whole text, the pattern tried every position of
    every word (4-5 µs per advert); the runs between spaces are the same matches, as the whole
    text's scan restarts after each match and no match reaches past a space.
    """
    return [
        found.span()
        for run in _LINK_RUN_RE.finditer(text)
        for found in _NOT_PROSE_RE.finditer(text, run.start(), run.end())
    ]


def _flag_country(flag: str) -> str:
    return "".join(chr(ord(c) - 0x1F1E6 + ord("A")) for c in flag)


class PlaceTagger:
    def __init__(self, *, name: str = "smokkelradar_places") -> None:
        self.name = name
        self._names: TermMatcher[Place] | None = None
        self._before: TermMatcher[str] | None = None
        self._after: TermMatcher[str] | None = None
        self._prefix_roles: dict[str, str] = {}
        self._suffix_roles: dict[str, str] = {}
        self._joiners: frozenset[str] = frozenset()
        self._inflections: set[str] = set()  # endings reported as part of the name
        self._arrows: dict[str, str] = {}
        self._capitals: dict[str, tuple[float | None, float | None]] = {}

    def initialize(
        self, get_examples: Any = None, *, nlp: Language | None = None, resources: Resources
    ) -> None:
        folder, vocab = resources.folder, resources.vocab
        gated, index = resources.gated_languages, resources.word_index
        before: TermMatcher[str] = TermMatcher(folder, gated_languages=gated, index=index)
        after: TermMatcher[str] = TermMatcher(folder, gated_languages=gated, index=index)
        joiners: set[str] = set()
        for language, all_cues in vocab.place_cues.items():
            for cues in all_cues:
                for role, words in (("origin", cues.origin), ("transit", cues.transit),
                                    ("destination", cues.destination), ("next", cues.then),
                                    ("none", cues.none)):  # fmt: skip
                    for word in words:
                        before.add(word, role, language)
                for role, words in (("origin", cues.origin_after), ("transit", cues.transit_after),
                                    ("destination", cues.destination_after)):  # fmt: skip
                    for word in words:
                        after.add(word, role, language)
                for affix, role in cues.prefixes.items():
                    self._prefix_roles.setdefault(folder.fold_term(affix), role)
                for affix, role in cues.suffixes.items():
                    self._suffix_roles.setdefault(folder.fold_term(affix), role)
                for affix, role in cues.inflections.items():
                    self._suffix_roles.setdefault(folder.fold_term(affix), role)
                    self._inflections.add(folder.fold_term(affix))
                for word in cues.joiners:
                    joiners.update(folder.phrase(word))
        for arrows in vocab.route_arrows:
            for direction, symbols in (("forward", arrows.forward), ("backward", arrows.backward),
                                       ("neutral", arrows.neutral)):  # fmt: skip
                for symbol in symbols:
                    for token in folder.phrase(symbol):
                        self._arrows.setdefault(token, direction)
        names: TermMatcher[Place] = TermMatcher(
            folder, prefixes=self._prefix_roles, suffixes=self._suffix_roles, index=index
        )
        gazetteer = resources.gazetteer
        for key, place in gazetteer.names.items():
            languages = gazetteer.only_in.get(key)
            if languages:
                for language in sorted(languages):
                    names.add_folded(key, place, language, strict=True)
            else:
                names.add_folded(key, place)
            if place.kind == "country" and place.lat is not None:
                self._capitals.setdefault(place.country, (place.lat, place.lon))
        self._names, self._before, self._after = names, before, after
        self._joiners = frozenset(joiners)

    def __call__(self, doc: Doc) -> Doc:
        if self._names is None or self._before is None or self._after is None:
            raise ValueError("smokkelradar_places is not initialized")
        state = analysis_of(doc)
        mentions = self._find(state, self._names)
        for index, mention in enumerate(mentions):
            mention.group = index
        if mentions:
            tokens, gate, words, known = state.tokens, state.gate, state.words, state.candidates
            before = {hit.last: hit.payload for hit in self._before.match(tokens, gate, words, known)}
            after = {hit.first: hit.payload for hit in self._after.match(tokens, gate, words, known)}
            self._assign_roles(state, mentions, before, after)
            state.route = route_of(state, mentions)
            relabel(mentions, state.route)
        state.places = mentions
        for mention in mentions:
            mention.text = state.text[mention.start : mention.end]
        if wants_spans(doc):
            doc.spans["places"] = spans_of(doc, state, ((m.start, m.end, m.country) for m in mentions))
        return doc

    # ------------------------------------------------------------------ finding

    def _find(self, state: Analysis, names: TermMatcher[Place]) -> list[PlaceMention]:
        folded = state.folded
        mentions: list[PlaceMention] = []
        text = folded.text
        hidden = _hidden_spans(text) if "@" in text or "/" in text else []
        inflections, prefix_roles, suffix_roles = self._inflections, self._prefix_roles, self._suffix_roles
        for hit in names.match(state.tokens, state.gate, state.words, state.candidates):
            if hidden and any(start <= hit.start < end for start, end in hidden):
                continue
            place = hit.payload
            end = hit.end + len(hit.suffix) if hit.suffix in inflections else hit.end
            start, end = folded.original_span(hit.start, end)
            # The role a glued affix gives (_affix_role), the prefix's first.
            role = prefix_roles.get(hit.prefix) if hit.prefix else None
            if role not in _ROLES:
                role = suffix_roles.get(hit.suffix) if hit.suffix else None
                if role not in _ROLES:
                    role = None
            mention = PlaceMention("", start, end, place.country, role or "none", place.lat, place.lon,
                                   place.kind, hit.first, hit.last, explicit=role is not None)  # fmt: skip
            mentions.append(mention)
        if _FLAG_RE.search(folded.text):
            token_at = {token.start: index for index, token in enumerate(state.tokens)}
            for match in _FLAG_RE.finditer(folded.text):
                country = _flag_country(match.group())
                if country in _NOT_COUNTRY_FLAGS:
                    continue
                first = token_at.get(match.start(), 0)
                start, end = folded.original_span(match.start(), match.end())
                lat, lon = self._capitals.get(country, (None, None))
                mentions.append(
                    PlaceMention("", start, end, country, "none", lat, lon, "flag", first, first + 2)
                )
        mentions.sort(key=lambda m: m.first)
        return mentions

    def _affix_role(self, hit: Hit[Place]) -> str | None:
        for affix, roles in ((hit.prefix, self._prefix_roles), (hit.suffix, self._suffix_roles)):
            role = roles.get(affix) if affix else None
            if role in _ROLES:
                return role
        return None

    # ------------------------------------------------------------------ roles

    def _assign_roles(
        self, state: Analysis, mentions: list[PlaceMention], before: dict[int, str], after: dict[int, str]
    ) -> None:
        text, tokens = state.folded.text, state.tokens
        taken = {i for m in mentions for i in range(m.first, m.last)}
        for mention in mentions:
            cue = self._cue_before(before, mention, taken, text, tokens)
            if cue == "next":
                self._next_leg(mentions, mention)
                continue
            if cue == "none":  # "delivery in", "office in": not a place on the way
                mention.role, mention.explicit = "none", True
                continue
            if cue is None:
                cue = after.get(mention.last) or after.get(mention.last + 1)
            if cue in _ROLES and not mention.explicit:
                mention.role, mention.explicit = cue, True
        self._chains(state, mentions)
        self._joined(state, mentions)
        self._by_order(state, mentions)

    def _cue_before(
        self, before: dict[int, str], mention: PlaceMention, taken: set[int], text: str, tokens: list[Any]
    ) -> str | None:
        if before.keys().isdisjoint(range(mention.first - _CUE_WINDOW, mention.first + 1)):
            return None  # no cue word ends in the window: the loop below would find none
        for distance in range(_CUE_WINDOW + 1):
            end = mention.first - distance
            if end <= 0:
                return None
            if distance and (end in taken or "\n" in text[tokens[end - 1].end : tokens[mention.first].start]):
                return None
            role = before.get(end)
            if role is not None:
                return role
        return None

    @staticmethod
    def _next_leg(mentions: list[PlaceMention], mention: PlaceMention) -> None:
        """'and then X': X is the next destination; destinations named before it become transit."""
        for earlier in mentions:
            if earlier is mention:
                break
            if earlier.role == "destination":
                earlier.role = "transit"
        mention.role, mention.explicit = "destination", True

    def _gap(self, state: Analysis, left: PlaceMention, right: PlaceMention) -> list[str] | None:
        """Tokens between two places on the same line, or None when a line break separates them."""
        tokens = state.tokens
        if right.first < left.last:
            return None
        start = tokens[left.last - 1].end
        end = tokens[right.first].start
        if "\n" in state.folded.text[start:end]:
            return None
        return state.words[left.last : right.first]

    def _chains(self, state: Analysis, mentions: list[PlaceMention]) -> None:
        chain: list[PlaceMention] = [mentions[0]]
        backward = False
        adjacent_flags = True
        for left, right in pairwise(mentions):
            gap = self._gap(state, left, right)
            linked = gap is not None and (
                (not gap and (left.kind == right.kind == "flag" or left.country != right.country))
                or (bool(gap) and all(token in self._arrows for token in gap))
            )
            if linked and gap is not None:
                chain.append(right)
                backward = backward or any(self._arrows.get(t) == "backward" for t in gap)
                adjacent_flags = adjacent_flags and not gap
                continue
            self._chain_roles(state, chain, backward, adjacent_flags)
            chain, backward, adjacent_flags = [right], False, True
        self._chain_roles(state, chain, backward, adjacent_flags)

    @staticmethod
    def _chain_roles(
        state: Analysis, chain: list[PlaceMention], backward: bool, adjacent_flags: bool
    ) -> None:
        # Three or more flags side by side list countries (of documents, of destinations): no order.
        if len(chain) < 2 or (adjacent_flags and len(chain) > 2):
            return
        if backward and not state.gate.open_latin:  # ← in left-to-right text
            chain = chain[::-1]
        for index, mention in enumerate(chain):
            if mention.explicit:
                continue
            if index == 0:
                mention.role = "origin"
            elif index == len(chain) - 1:
                mention.role = "destination"
            else:
                mention.role = "transit"

    def _joined(self, state: Analysis, mentions: list[PlaceMention]) -> None:
        for left, right in pairwise(mentions):
            if right.role != "none" or right.explicit or left.role == "none":
                continue
            gap = self._gap(state, left, right)
            if gap is not None and all(token in self._joiners for token in gap):
                right.role, right.group = left.role, left.group

    def _by_order(self, state: Analysis, mentions: list[PlaceMention]) -> None:
        """A destination without an origin: a free place named before it on its line is the origin
        (and the other way round)."""
        free = [m for m in mentions if m.role == "none" and not m.explicit]
        if not free:
            return
        destination = next((m for m in mentions if m.role == "destination"), None)
        origin = next((m for m in mentions if m.role == "origin"), None)
        if destination is not None and origin is None:
            for mention in free:
                before = mention.first < destination.first and mention.country != destination.country
                if before and same_line(state, mention, destination):
                    mention.role = "origin"
                    return
        if origin is not None and destination is None:
            for mention in free:
                after = mention.first > origin.first and mention.country != origin.country
                if after and same_line(state, origin, mention):
                    mention.role = "destination"
                    return


@Language.factory("smokkelradar_places", default_config={})
def make_place_tagger(nlp: Language, name: str) -> PlaceTagger:
    return PlaceTagger(name=name)
