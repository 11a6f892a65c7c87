"""Finding phone numbers in folded advert text, however they are written.

Folding already turned Eastern digits into ASCII and joined digits written one by one.
What remains: groups split by dots, dashes, emoji (``09🔥25🔥71``), runs of dots
(``09 21 .. 33``) and digits spelled out (``null-eins-fünf-sieben``). A candidate is a run
of digits with at most four separator characters between digit groups, 7 to 15 digits in
all. phonenumbers decides: ``+`` and ``00`` numbers carry their country; a national
number is tried against the regions given, in order, and the first that calls it valid
wins (a wrong default region makes a national number look valid for the wrong country,
which is why the advert's route comes first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter

import phonenumbers

from nlp.textfold import Folder, Token

_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff"
# Between digit groups: spaces, dots, dashes, brackets,
# emoji (09🔥25🔥71), and a slash only between spaces (not in a licence number 0457/2016).
_SEPARATOR = rf"(?:[ \t.\-–—·•_|*~()\[\]]|(?<= )/(?= )|[{_EMOJI}]){{0,4}}"
# A "+" or a digit not glued to a word or a "+", then (after a "+": a space maybe and) digit groups.
# Written to start with a character class so the regex engine skips to the next "+" or digit in C (the
# same matches as ``(?<![\w+])(\+ ?)?\d(?:SEPARATOR\d)+(?![\w])``, twice as fast).
_CANDIDATE_RE = re.compile(rf"[+\d](?<![\w+][+\d])(?:(?<=\+) ?\d|(?<=\d))(?:{_SEPARATOR}\d)+(?!\w)")
_BREAK_RE = re.compile(r" {2,}| ?[/|] ?")
_MIN_DIGITS, _MAX_DIGITS = 7, 15
_DIGIT_RE = re.compile(r"\d")
_MIN_SPELLED = 3  # spelled digits in a row that make a phone candidate
_TEXT = itemgetter(0)  # a Token's text


@dataclass(frozen=True, slots=True)
class PhoneFound:
    e164: str
    region: str | None
    start: int  # folded offsets
    end: int


class PhoneReader:
    def __init__(self, digit_words: Mapping[str, Mapping[str, int]], folder: Folder) -> None:
        self._digit_words = {
            folder.fold_term(w): d for words in digit_words.values() for w, d in words.items()
        }

    def read(
        self, text: str, tokens: list[Token], regions: Iterable[str], words: list[str] | None = None
    ) -> list[PhoneFound]:
        """The phone numbers of ``text`` (folded) and its ``tokens`` (``words``: their texts, when
        the caller has them); national numbers are tried in ``regions``, in order."""
        words = list(map(_TEXT, tokens)) if words is None else words
        text, offsets = self._spelled_digits(text, tokens, words)
        if not _enough_digits(text):
            return []
        order = list(dict.fromkeys(regions))
        found: list[PhoneFound] = []
        for match in _CANDIDATE_RE.finditer(text):
            if match.end() - match.start() < _MIN_DIGITS:  # too short to hold enough digits (a price)
                continue
            for start, end in self._pieces(text, match.start(), match.end()):
                phone = self._parse(text[start:end], order)
                if phone is not None:
                    folded_start = offsets[start] if offsets else start
                    folded_end = offsets[end - 1] + 1 if offsets else end
                    found.append(PhoneFound(phone[0], phone[1], folded_start, folded_end))
        return found

    def _spelled_digits(
        self, text: str, tokens: list[Token], words: list[str]
    ) -> tuple[str, list[int] | None]:
        """Runs of three or more spelled digits ("zero seven, five one") become digits separated by
        spaces; the offsets lead back to ``text``."""
        if not self._digit_words:
            return text, None
        # Most adverts spell no digit at all: looked up (and then counted) in C before walking the
        # tokens in Python.
        digit_words = self._digit_words
        if digit_words.keys().isdisjoint(words) or sum(map(digit_words.__contains__, words)) < _MIN_SPELLED:
            return text, None
        runs: list[list[Token]] = []
        run: list[Token] = []
        for token in [*tokens, Token("", len(text), len(text))]:
            if token.text in self._digit_words:
                run.append(token)
            elif token.text.isalnum() or not token.text:
                if len(run) >= _MIN_SPELLED:
                    runs.append(run)
                run = []
        if not runs:
            return text, None
        pieces: list[str] = []
        offsets: list[int] = []
        cursor = 0
        for spelled in runs:
            pieces.append(text[cursor : spelled[0].start])
            offsets.extend(range(cursor, spelled[0].start))
            for index, token in enumerate(spelled):
                if index:
                    pieces.append(" ")
                    offsets.append(token.start - 1)
                pieces.append(str(self._digit_words[token.text]))
                offsets.append(token.start)
            cursor = spelled[-1].end
        pieces.append(text[cursor:])
        offsets.extend(range(cursor, len(text)))
        return "".join(pieces), offsets

    @staticmethod
    def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
        """A candidate, or its parts when it is too long to be one number (``0912… / 0923…``)."""
        if end - start <= _MAX_DIGITS or len(_DIGIT_RE.findall(text, start, end)) <= _MAX_DIGITS:
            return [(start, end)]
        pieces, cursor = [], start
        for gap in _BREAK_RE.finditer(text, start, end):
            pieces.append((cursor, gap.start()))
            cursor = gap.end()
        pieces.append((cursor, end))
        return [(s, e) for s, e in pieces if e > s]

    @staticmethod
    def _parse(candidate: str, regions: list[str]) -> tuple[str, str | None] | None:
        digits = "".join(filter(str.isdigit, candidate))
        if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
            return None
        if candidate.lstrip().startswith("+"):
            return _e164(_valid("+" + digits, None))
        if digits.startswith("00"):
            return _e164(_valid("+" + digits[2:], None))
        # The first region where the number is a mobile (smugglers use mobiles), else the first valid.
        first: tuple[str, str | None] | None = None
        for region in regions:
            found = _valid(digits, region)
            if found is not None and found[2]:
                return found[0], found[1]
            if found is not None and first is None:
                first = (found[0], found[1])
        if first is not None:
            return first
        if not digits.startswith("0"):  # an international number without its + (wa.me links, habits)
            return _e164(_valid("+" + digits, None))
        return None


def _enough_digits(text: str) -> bool:
    """At least ``_MIN_DIGITS`` digits in ``text``: ASCII digits counted in C first (what adverts
    nearly always have, once folded), the regex's Unicode digits only when those are too few."""
    if sum(map(text.count, "0123456789")) >= _MIN_DIGITS:
        return True
    return len(_DIGIT_RE.findall(text)) >= _MIN_DIGITS


_MOBILE = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


_VALID_CACHE: dict[tuple[str, str | None], tuple[str, str | None, bool] | None] = {}
_VALID_CACHE_LIMIT = 50_000


def _valid(number: str, region: str | None) -> tuple[str, str | None, bool] | None:
    """(E.164, region, is a mobile) of a valid number, else None.

    phonenumbers takes a tenth of a millisecond per parse and the same numbers recur across
    adverts (one network posts everywhere): answers are cached.
    """
    key = (number, region)
    if key in _VALID_CACHE:
        return _VALID_CACHE[key]
    found = _parse_valid(number, region)
    if len(_VALID_CACHE) >= _VALID_CACHE_LIMIT:
        _VALID_CACHE.clear()
    _VALID_CACHE[key] = found
    return found


def _parse_valid(number: str, region: str | None) -> tuple[str, str | None, bool] | None:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    mobile = phonenumbers.number_type(parsed) in _MOBILE
    return e164, phonenumbers.region_code_for_number(parsed), mobile


def _e164(found: tuple[str, str | None, bool] | None) -> tuple[str, str | None] | None:
    return (found[0], found[1]) if found is not None else None
