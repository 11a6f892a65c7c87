"""Reading amounts from folded advert text: digits, separators, shorthands, words.

``3500``, ``3.500``, ``3,500``, ``3 500`` and ``٣٬٥٠٠`` (folded to ``3,500``) are 3500;
``3.5`` and ``3,5`` are 3.5; a multiplier word may follow (``3.5k``, ``٣ آلاف``, ``5 bin``,
``3 mille``), then a half word (``3 آلاف ونص`` = 3500). Amounts written in words
(``ثلاثة آلاف وخمسمية``, ``سه هزار``, ``three thousand``) count only when they hold a
multiplier, so "one person" is never a price. Every number word comes from ``prices.yaml``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from itertools import compress, count, repeat
from operator import is_, is_not, itemgetter
from typing import Any, NamedTuple

from nlp.textfold import Folder, Token
from radar.config.keywords import NumberWords

# A number not glued to a Latin word or another number and not starting with 0 (phone numbers and
# their parts); a glued non-Latin prefix is fine (Amharic ከ1800 "from 1800"). Written to start with
# its first digit, the conditions on what precedes it checked after it (the same matches as
# ``(?<![a-z\d.,])(?!0\d)(\d{1,3}(?:[.,' ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?![\d])``):
# a pattern that starts with a character class lets the regex engine skip to the next digit in C
# instead of trying the look-behind at every character (2.5 times faster).
_NUMBER_RE = re.compile(
    r"(\d(?<![a-z\d.,]\d)(?!(?<=0)\d)(?:\d{0,2}(?:[.,' ]\d{3})+(?:[.,]\d{1,2})?|\d*(?:[.,]\d{1,2})?))(?!\d)"
)
# "+300€" is a surcharge; "+90 532…" is a phone number.
_MAX_DIGITS_AFTER_PLUS = 4
_WORD_AFTER_RE = re.compile(r" ?([^\W\d_]+)")
_SEPARATORS_RE = re.compile(r"[.,' ]")
_UNSEEN = object()  # a word the number-word cache has not met (its value for a word that is none is None)
_TEXT, _START = itemgetter(0), itemgetter(1)  # a Token's text and start


class Amount(NamedTuple):
    """A number in the folded text: value, folded char span, token range ``[first, last)``.

    A named tuple, not a frozen dataclass: every number of an advert with a currency becomes one,
    and a frozen dataclass takes three times as long to make.
    """

    value: float
    start: int
    end: int
    first: int
    last: int
    multiplier: float = 1.0

    @property
    def multiplied(self) -> bool:
        return self.multiplier != 1.0

    def scaled(self, multiplier: float) -> Amount:
        return self._replace(value=self.value * multiplier, multiplier=multiplier)


def parse_number(text: str) -> float:
    """``3.500`` -> 3500, ``3,5`` -> 3.5, ``1.500,50`` -> 1500.5 (groups of three are thousands)."""
    if text.isdigit():  # no separator (the pattern's other characters are digits)
        return float(text)
    parts = _SEPARATORS_RE.split(text)
    if len(parts) == 1:
        return float(parts[0])
    if all(len(part) == 3 for part in parts[1:]):
        return float("".join(parts))
    whole = "".join(parts[:-1])
    return float(whole) + float("0." + parts[-1])


class AmountReader:
    def __init__(self, number_words: Mapping[str, NumberWords], folder: Folder) -> None:
        self.units: dict[str, float] = {}
        self.multipliers: dict[str, float] = {}
        self.halves: set[str] = set()
        self.joiners: set[str] = set()
        for words in number_words.values():
            self.units.update({folder.fold_term(k): v for k, v in words.units.items()})
            self.multipliers.update({folder.fold_term(k): v for k, v in words.multipliers.items()})
            self.halves.update(folder.fold_term(h) for h in words.halves if " " not in h)
            self.joiners.update(folder.fold_term(j) for j in words.joiners)
        self._glued = {j for j in self.joiners if len(j) == 1}
        self._seen: dict[str, tuple[str, float] | None] = {}
        self._compound_ends = sorted(
            ((m, v) for m, v in self.multipliers.items() if len(m) >= 4), key=lambda mv: -len(mv[0])
        )
        self._compound_suffixes = tuple(multiplier for multiplier, _ in self._compound_ends)

    def read(self, text: str, tokens: list[Token], words: list[str] | None = None) -> list[Amount]:
        """The amounts of ``text`` (folded) and its ``tokens`` (``words``: their texts, when the
        caller has them), in token order."""
        starts = list(map(_START, tokens))
        amounts = self._digit_amounts(text, starts)
        covered = {i for amount in amounts for i in range(amount.first, amount.last)}
        amounts += self._word_amounts(tokens, covered, list(map(_TEXT, tokens)) if words is None else words)
        amounts.sort(key=lambda amount: amount.first)
        return amounts

    def _digit_amounts(self, text: str, starts: list[int]) -> list[Amount]:
        amounts = []
        for match in _NUMBER_RE.finditer(text):
            start, number = match.start(), match.group(1)
            plus = start and text[start - 1] == "+"  # digits counted only then
            if plus and sum(c.isdigit() for c in number) > _MAX_DIGITS_AFTER_PLUS:
                continue
            value = parse_number(number)
            end = match.end()
            multiplier = 1.0
            word = _WORD_AFTER_RE.match(text, end)
            if word and word.group(1) in self.multipliers:
                multiplier = self.multipliers[word.group(1)]
                end = word.end()
                value, end = self._rest_in_words(text, value * multiplier, multiplier, end)
            else:
                value *= multiplier
            first, last = bisect_left(starts, start), bisect_left(starts, end)
            amounts.append(Amount(value, start, end, first, last, multiplier))
        return amounts

    def _rest_in_words(self, text: str, value: float, multiplier: float, end: int) -> tuple[float, int]:
        """After ``4 هزار``: ``و پانصد`` (and five hundred), ``ونص`` (and a half), ``and five hundred``."""
        cursor = end
        while True:
            word = _WORD_AFTER_RE.match(text, cursor)
            if not word:
                return value, end
            if word.group(1) in self.joiners:
                cursor = word.end()
                continue
            found = self._number_word(word.group(1))
            if found is None or found[0] == "multiplier":
                return value, end
            kind, number = found
            cursor = end = word.end()
            if kind == "half":
                value += 0.5 * multiplier
                continue
            smaller = _WORD_AFTER_RE.match(text, cursor)
            if smaller and self.multipliers.get(smaller.group(1), multiplier) < multiplier:
                number *= self.multipliers[smaller.group(1)]
                cursor = end = smaller.end()
            value += number

    def _number_word(self, word: str) -> tuple[str, float] | None:
        """('unit' | 'multiplier' | 'half', value) of a token, also with a glued 'and' (وخمسمية)
        and as a compound of unit and multiplier (drieduizend, dreitausend: 'unit', 3000)."""
        if word in self._seen:
            return self._seen[word]
        found = self._read_number_word(word)
        if len(self._seen) > 100_000:
            self._seen.clear()
        self._seen[word] = found
        return found

    def _read_number_word(self, word: str) -> tuple[str, float] | None:
        for candidate in (word, word[1:] if word[:1] in self._glued else ""):
            if candidate in self.units:
                return "unit", self.units[candidate]
            if candidate in self.multipliers:
                return "multiplier", self.multipliers[candidate]
            if candidate in self.halves:
                return "half", 0.5
        if not word.endswith(self._compound_suffixes):  # one test in C for the many words that are none
            return None
        for multiplier, value in self._compound_ends:
            if word.endswith(multiplier) and word[: -len(multiplier)] in self.units:
                return "unit", self.units[word[: -len(multiplier)]] * value
        return None

    def _word_amounts(self, tokens: list[Token], covered: set[int], words: list[str]) -> list[Amount]:
        # What each word is as a number word, looked up for the whole advert at once (in C); most
        # adverts hold none, and only the words that are one are visited in Python.
        seen = self._seen
        known: list[Any] = list(map(seen.get, words, repeat(_UNSEEN)))
        # Words not met yet (most adverts have a few: a new number, a name) are worked out one by
        # one; the others were looked up above without a Python call each.
        for i in compress(count(), map(is_, known, repeat(_UNSEEN))):
            known[i] = self._number_word(words[i])
        amounts = []
        following = 0  # the first token after the last amount tried
        for i in compress(count(), map(is_not, known, repeat(None))):
            if i < following or i in covered:
                continue
            total = current = 0.0
            last_multiplier = 1.0
            multiplied = False
            j = i
            while j < len(tokens) and j not in covered:
                found = known[j]
                if found is None:
                    if words[j] in self.joiners and j + 1 < len(tokens):
                        j += 1
                        continue
                    break
                kind, value = found
                if kind == "unit":
                    current += value
                elif kind == "multiplier":
                    current = (current or 1.0) * value
                    last_multiplier, multiplied = value, True
                    if value >= 1000:
                        total, current = total + current, 0.0
                else:
                    current += 0.5 * last_multiplier
                j += 1
            while j > i and words[j - 1] in self.joiners:
                j -= 1
            if multiplied and j > i:
                amounts.append(
                    Amount(total + current, tokens[i].start, tokens[j - 1].end, i, j, last_multiplier)
                )
            following = max(j, i + 1)
        return amounts
