"""A phrase matcher over folded word tokens that understands glued affixes.

spaCy's ``PhraseMatcher`` compares whole tokens. Smugglers' languages glue the words
that matter onto names: Arabic ``لإيطاليا`` (to Italy), Tigrinya ``ብሊብያ`` (via Libya),
Turkish ``Libya'dan`` (from Libya). This matcher looks a token up as written first and
then with a configured prefix or suffix removed, and reports what it removed, so the
places component can turn the affix into a route role. Keywords are folded exactly like
adverts, so one spelling in the YAML covers its variants.

Lookup is a dict probe per token (run in C for the whole advert) and, only for the few
words that can start a keyword, a look at the phrases they start (longest first; for a word that
starts many, such as "la" or "al" for place names, only those whose second word comes next). The matchers
of one pipeline share a ``WordIndex``: an advert's words are looked up once for all of them
(``WordIndex.lookup``), not once per matcher (there are eleven).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, count, repeat
from operator import is_not, itemgetter
from typing import Any, Generic, NamedTuple, TypeVar

from nlp.textfold import Folder, Token

P = TypeVar("P")

# An affix may only be stripped if this much of the word remains (avoids "ل" + "يبيا").
_MIN_STEM = 3
_MIN_STEM_BARE_SUFFIX = 4

# What a word can start: (stem, prefix) pairs whose stem starts a keyword, and (base, prefix,
# suffix) triples where the base is a one-word keyword. One shared object for "nothing", so a
# whole advert's words are sorted out with an identity test each.
_Known = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, str], ...]]
_NOTHING: _Known = ((), ())
_TEXT = itemgetter(0)  # a Token's text
# Hits are made with tuple.__new__: a NamedTuple's own constructor is a Python function (a dozen
# hits per advert).
_new_tuple = tuple.__new__


class Hit(NamedTuple, Generic[P]):
    """A matched phrase: tokens ``[first, last)``, folded char span, payload, stripped affixes.

    A named tuple, not a frozen dataclass: an advert has a dozen of them and a frozen dataclass
    takes three times as long to make.
    """

    first: int
    last: int
    start: int
    end: int
    payload: P
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class Gate:
    """Which language-specific keywords may fire in an advert.

    ``languages``: the languages seen in the advert. ``open_latin``: the advert is mainly in
    a non-Latin script, so Latin words of any language may fire (code-switching: "passport"
    in an Arabic advert).
    """

    languages: frozenset[str]
    open_latin: bool


@dataclass(frozen=True, slots=True)
class _Entry(Generic[P]):
    tokens: tuple[str, ...]
    payload: P
    language: str
    gated: bool  # a Latin word of a language: counts in adverts of that language (or open_latin ones)
    strict: bool  # counts only in adverts of its language, whatever the script


# A phrase of a group: (its place among the stem's keywords, token count, second word, entry).
_Multi = tuple[int, int, str, _Entry[P]]
# Index a stem's phrases by their second word from this many on (few stems: "la", "al", "de").
_INDEX_SECOND_WORDS = 8


@dataclass(frozen=True, slots=True)
class _Group(Generic[P]):
    """The keywords that start with one word, arranged for matching: phrases longest first, the
    one-word keywords, every keyword by its phrase, and (for a word that starts many phrases) the
    phrases by their second word."""

    multis: tuple[_Multi[P], ...]
    singles: tuple[_Entry[P], ...]
    by_phrase: dict[tuple[str, ...], list[_Entry[P]]]
    by_second: dict[str, tuple[_Multi[P], ...]] | None


class TermMatcher(Generic[P]):
    """Compiled keywords of one concern (documents, currencies, place names, ...)."""

    def __init__(
        self,
        folder: Folder,
        *,
        prefixes: Iterable[str] = (),
        suffixes: Iterable[str] = (),
        gated_languages: frozenset[str] = frozenset(),
        index: WordIndex | None = None,
    ) -> None:
        self._folder = folder
        self._by_first: dict[str, list[_Entry[P]]] = {}
        self._seen: set[tuple[tuple[str, ...], str]] = set()
        self._gated_languages = gated_languages
        # Shortest prefix first: "باليونان" is "ب" + "اليونان" (the name keeps its article).
        self.prefixes = sorted({folder.fold_term(p) for p in prefixes if folder.fold_term(p)}, key=len)
        self.suffixes = sorted(
            {folder.fold_term(s) for s in suffixes if folder.fold_term(s)}, key=len, reverse=True
        )
        self._prefixes_by_first: dict[str, list[str]] = {}
        for prefix in self.prefixes:
            self._prefixes_by_first.setdefault(prefix[0], []).append(prefix)
        # First letters of keywords and prefixes: a word starting with none of them starts nothing.
        self._first_letters: set[str] = set(self._prefixes_by_first)
        self._suffixes_by_last: dict[str, list[str]] = {}
        for suffix in self.suffixes:
            self._suffixes_by_last.setdefault(suffix[-1], []).append(suffix)
        # The same as tuples, for one str.startswith / str.endswith test in C (_work_out).
        self._prefix_tuples = {first: tuple(found) for first, found in self._prefixes_by_first.items()}
        self._suffix_tuples = {last: tuple(found) for last, found in self._suffixes_by_last.items()}
        self._word_cache: dict[str, _Known] = {}
        self._groups: dict[str, _Group[P]] = {}  # stem -> its keywords arranged for matching
        self._index = index
        self._slot = index.register(self) if index is not None else -1

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._by_first.values())

    def add(self, term: str, payload: P, language: str = "any") -> None:
        """Add one keyword; duplicates (same folded phrase and payload) are ignored."""
        tokens = self._folder.phrase(term)
        key = (tokens, repr(payload))
        if not tokens or key in self._seen:
            return
        self._seen.add(key)
        self.add_folded(tokens, payload, language)

    def add_folded(
        self, tokens: tuple[str, ...], payload: P, language: str = "any", *, strict: bool = False
    ) -> None:
        """Add a phrase already folded and split into tokens (the gazetteer's names).

        ``strict``: the phrase only counts in adverts of ``language`` (a name that is a plain
        word in another language once folded: Persian لیبی "Libya" is Arabic ليبي "Libyan").
        """
        if not tokens:
            return
        gated = language in self._gated_languages and any(t.isascii() and t.isalpha() for t in tokens)
        entries = self._by_first.setdefault(tokens[0], [])
        self._first_letters.add(tokens[0][:1])
        entries.append(_Entry(tokens, payload, language, gated, strict and language != "any"))
        self._word_cache.clear()
        self._groups.clear()
        if self._index is not None:
            self._index.clear()
        if len(entries) > 1:
            entries.sort(key=lambda e: len(e.tokens), reverse=True)

    def add_terms(self, terms: Mapping[str, Sequence[str]], payload: P) -> None:
        """Add every term of a per-language mapping with the same payload."""
        for language, words in terms.items():
            for word in words:
                self.add(word, payload, language)

    def match(
        self,
        tokens: Sequence[Token],
        active: Gate | None = None,
        words: Sequence[str] | None = None,
        candidates: Candidates | None = None,
    ) -> list[Hit[P]]:
        """Longest, non-overlapping matches, left to right.

        ``active``: what the advert's languages allow (``None``: every keyword counts).
        ``words``: the tokens' texts, when the caller has them (``Analysis.words``: an advert goes
        through ten matchers, and listing its words once is cheaper than ten times).
        ``candidates``: the words of the advert that can start a keyword, as this matcher's
        ``WordIndex`` found them for every matcher at once (``Analysis.candidates``).
        """
        if candidates is not None and candidates.owner is self._index:
            starts = candidates.per_matcher[self._slot]
        else:
            starts = self._starts(tokens, words)
        hits: list[Hit[P]] = []
        resume = 0  # the first token after the last match (matches do not overlap)
        for i, known in starts:
            if i < resume:
                continue
            found = self._match_at(tokens, i, active, known)
            if found:
                hits.extend(found)
                resume = found[0].last
        return hits

    def _starts(self, tokens: Sequence[Token], words: Sequence[str] | None) -> list[tuple[int, _Known]]:
        """(token index, what the word can start) of the words that can start a keyword."""
        # Most words start no keyword: what each word can start is looked up for the whole
        # advert at once (map, zip and compress run in C), and only the words that can start
        # one are visited in Python.
        cache = self._word_cache
        if words is None:
            words = list(map(_TEXT, tokens))
        knowns: list[Any] = list(map(cache.get, words))  # _Known, or None for a word not met yet
        if None in knowns:  # words this matcher has not met yet: worked out once each
            for i, known in enumerate(knowns):
                if known is None:
                    knowns[i] = self._known(words[i])
        return list(compress(zip(count(), knowns), map(is_not, knowns, repeat(_NOTHING))))

    def _known(self, word: str) -> _Known:
        known = self._word_cache.get(word)
        if known is None:
            known = self._work_out(word)
            _remember(self._word_cache, word, known)
        return known

    def _work_out(self, word: str) -> _Known:
        """What ``word`` can start (uncached)."""
        if word[:1] not in self._first_letters:  # e.g. numbers, for most matchers
            return _NOTHING
        prefixes, suffixes = self._prefix_tuples.get(word[:1]), self._suffix_tuples.get(word[-1:])
        if not (prefixes and word.startswith(prefixes)) and not (suffixes and word.endswith(suffixes)):
            # No prefix to take off and no suffix to try (most words, and every new number): what
            # _stems and _suffixed would find, the word alone, without a Python step per affix.
            return (((word, ""),), ()) if word in self._by_first else _NOTHING
        stems = self._stems(word)
        lookups, suffixed = self._lookups(stems), self._suffixed(stems)
        return (lookups, suffixed) if lookups or suffixed else _NOTHING

    @staticmethod
    def _allowed(entry: _Entry[P], active: Gate | None) -> bool:
        if active is None or entry.language in active.languages:
            return True
        if entry.strict:
            return False
        return not entry.gated or active.open_latin

    def _match_at(
        self,
        tokens: Sequence[Token],
        i: int,
        active: Gate | None,
        known: _Known,
    ) -> list[Hit[P]]:
        groups = self._groups
        for stem, prefix in known[0]:
            group = groups.get(stem) or self._group(stem)
            if group.multis:
                found = self._phrase_at(group, tokens, i, active)
                if found is not None:
                    phrase, suffix = found
                    return self._hits_of(group.by_phrase[phrase], tokens, i, phrase, prefix, suffix, active)
            # Entries are longest first: the one-word keywords come after every phrase.
            for entry in group.singles:
                if self._allowed(entry, active):
                    return self._hits_of(group.by_phrase[(stem,)], tokens, i, (stem,), prefix, "", active)
        # A single word with a glued suffix (libyadan, yunanistana), maybe a prefix too.
        for base, prefix, suffix in known[1]:
            group = groups.get(base) or self._group(base)
            hits = self._hits_of(group.by_phrase[(base,)], tokens, i, (base,), prefix, suffix, active)
            if hits:
                return hits
        return []

    def _phrase_at(
        self, group: _Group[P], tokens: Sequence[Token], i: int, active: Gate | None
    ) -> tuple[tuple[str, ...], str] | None:
        """The first of ``group``'s phrases (longest first) that the tokens from ``i`` on spell, with
        the suffix glued to its last word."""
        if i + 1 >= len(tokens):
            return None
        following = tokens[i + 1].text
        multis: Sequence[_Multi[P]] = group.multis
        if group.by_second is not None:
            # A word that starts many phrases ("la", "al", "de" for place names): only the phrases
            # whose second word the next word is, as written or without a glued suffix.
            multis = group.by_second.get(following, ())
            for glued in self._suffixes_by_last.get(following[-1:], ()):
                if following.endswith(glued) and following[: -len(glued)] in group.by_second:
                    multis = sorted((*multis, *group.by_second[following[: -len(glued)]]))
        for _, length, second, entry in multis:
            # Cheap test first: the next word starts like the phrase's second word.
            if i + length > len(tokens) or not following.startswith(second):
                continue
            if not self._allowed(entry, active):
                continue
            phrase = entry.tokens
            if any(tokens[i + k].text != phrase[k] for k in range(1, length - 1)):
                continue
            suffix = self._suffix_match(tokens[i + length - 1].text, phrase[-1])
            if suffix is not None:
                return phrase, suffix
        return None

    def _group(self, stem: str) -> _Group[P]:
        """The keywords starting with ``stem``, arranged for ``_match_at`` (built once per stem)."""
        entries = self._by_first.get(stem, [])
        multis = tuple((n, len(e.tokens), e.tokens[1], e) for n, e in enumerate(entries) if len(e.tokens) > 1)
        by_phrase: dict[tuple[str, ...], list[_Entry[P]]] = {}
        for entry in entries:
            by_phrase.setdefault(entry.tokens, []).append(entry)
        by_second: dict[str, tuple[_Multi[P], ...]] | None = None
        if len(multis) >= _INDEX_SECOND_WORDS:
            seconds: dict[str, list[_Multi[P]]] = {}
            for multi in multis:
                seconds.setdefault(multi[2], []).append(multi)
            by_second = {second: tuple(found) for second, found in seconds.items()}
        singles = tuple(e for e in entries if len(e.tokens) == 1)
        group = _Group(multis, singles, by_phrase, by_second)
        self._groups[stem] = group
        return group

    # Most words of an advert start no keyword: what a word can be is worked out once and cached,
    # so matching costs a dict probe per token. The caches are cleared when they grow too big.

    def _lookups(self, stems: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        """The (stem, prefix) pairs of a word (``_stems``) whose stem starts a keyword."""
        return tuple((stem, prefix) for stem, prefix in stems if stem in self._by_first)

    def _suffixed(self, stems: list[tuple[str, str]]) -> tuple[tuple[str, str, str], ...]:
        """(base, prefix, suffix) of a word (its ``_stems``) where the base is a one-word keyword."""
        candidates = []
        for stem, prefix in stems:
            for suffix in self._suffixes_by_last.get(stem[-1:], ()):
                if not stem.endswith(suffix):
                    continue
                base = stem[: -len(suffix)]
                # Latin stems need four letters ("kos"+"e" is no place); other scripts write denser.
                minimum = _MIN_STEM if suffix.startswith("'") or not base.isascii() else _MIN_STEM_BARE_SUFFIX
                entries = self._by_first.get(base)
                if len(base) >= minimum and entries and any(len(e.tokens) == 1 for e in entries):
                    candidates.append((base, prefix, suffix))
        return tuple(candidates)

    def _stems(self, word: str) -> list[tuple[str, str]]:
        """The word itself, then the word without each configured prefix it starts with."""
        stems = [(word, "")]
        for prefix in self._prefixes_by_first.get(word[:1], ()):
            if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM:
                stems.append((word[len(prefix) :], prefix))
        return stems

    def _suffix_match(self, word: str, expected: str) -> str | None:
        if word == expected:
            return ""
        if not word.startswith(expected):
            return None
        for suffix in self._suffixes_by_last.get(word[-1:], ()):
            if word.endswith(suffix) and word[: -len(suffix)] == expected:
                return suffix
        return None

    def _hits_of(
        self,
        entries: list[_Entry[P]],
        tokens: Sequence[Token],
        i: int,
        phrase: tuple[str, ...],
        prefix: str,
        suffix: str,
        active: Gate | None,
    ) -> list[Hit[P]]:
        """Every payload of ``phrase`` (``entries``: its keywords) as matched at ``i``: one word can
        mean two things."""
        last = i + len(phrase)
        start = tokens[i].start + len(prefix)
        end = tokens[last - 1].end - len(suffix)
        if len(entries) == 1:  # most phrases mean one thing
            entry = entries[0]
            allowed = self._allowed(entry, active)
            return [_new_tuple(Hit, (i, last, start, end, entry.payload, prefix, suffix))] if allowed else []
        hits: list[Hit[P]] = []
        for entry in entries:
            # One name, many languages: each payload once.
            if self._allowed(entry, active) and all(hit.payload != entry.payload for hit in hits):
                hits.append(_new_tuple(Hit, (i, last, start, end, entry.payload, prefix, suffix)))
        return hits


class Candidates(NamedTuple):
    """An advert's words that can start a keyword, per matcher of ``owner``: (token index, what
    the word can start), in token order."""

    owner: WordIndex
    per_matcher: list[list[tuple[int, _Known]]]


class WordIndex:
    """What each word can start, for every matcher of a pipeline at once.

    Each of an advert's words is looked up once (one dict probe, run in C for the whole advert)
    instead of once per matcher; most words start no keyword of any matcher and cost nothing more.
    """

    def __init__(self) -> None:
        self._matchers: list[TermMatcher[Any]] = []
        # word -> (matcher slot, what it can start there) for the matchers where it starts something
        self._cache: dict[str, tuple[tuple[int, _Known], ...]] = {}
        # first letter -> (slot, matcher) of the matchers that have a keyword or prefix starting with it
        self._by_letter: dict[str, tuple[tuple[int, TermMatcher[Any]], ...]] = {}

    def register(self, matcher: TermMatcher[Any]) -> int:
        """Add a matcher; returns its slot."""
        self._matchers.append(matcher)
        self.clear()
        return len(self._matchers) - 1

    def clear(self) -> None:
        """Forget what words can start (a matcher got new keywords)."""
        self._cache.clear()
        self._by_letter.clear()

    def lookup(self, words: Sequence[str]) -> Candidates:
        cache = self._cache
        found: list[Any] = list(map(cache.get, words))
        if None in found:  # words not met yet: worked out once each
            for i, entry in enumerate(found):
                if entry is None:
                    found[i] = self._entry(words[i])
        per_matcher: list[list[tuple[int, _Known]]] = [[] for _ in self._matchers]
        for i, entry in compress(zip(count(), found), found):  # an empty entry is falsy: skipped
            for slot, known in entry:
                per_matcher[slot].append((i, known))
        return Candidates(self, per_matcher)

    def _entry(self, word: str) -> tuple[tuple[int, _Known], ...]:
        entry = self._cache.get(word)  # the same word earlier in the advert
        if entry is None:
            # Only the matchers with a keyword or prefix starting with the word's first letter can
            # say anything but "nothing" (TermMatcher._work_out's first test), e.g. none for most numbers.
            letter = word[:1]
            matchers = self._by_letter.get(letter)
            if matchers is None:
                matchers = tuple((s, m) for s, m in enumerate(self._matchers) if letter in m._first_letters)
                self._by_letter[letter] = matchers
            entry = tuple(
                (slot, known)
                for slot, matcher in matchers
                if (known := matcher._work_out(word)) is not _NOTHING
            )
            _remember(self._cache, word, entry)
        return entry


_CACHE_LIMIT = 200_000


def _remember(cache: dict[str, Any], word: str, value: Any) -> None:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[word] = value
