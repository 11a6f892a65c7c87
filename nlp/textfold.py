"""Folding text for matching while keeping the way back to the original characters.

Every extractor matches on the *folded* text (NFKC, marks dropped, lower case, letter
variants and Eastern digits unified, evasion tricks undone) but reports offsets in the
text *as written*, so the web app can highlight what was found. ``Folded.starts[i]`` is
the index in the original text of the character folded into position ``i``.

Folding is per character and cached, so a text costs one ``str.translate`` plus, only
when some character grows or vanishes, one pass that rebuilds the offset map.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter
from typing import NamedTuple

from radar.config.keywords import Normalization

# Word tokens of folded text: a run of letters (with an inner apostrophe: libya'dan), a run of
# digits (so ከ1800 and 5k split into prefix/number/multiplier), underscores, or any single
# other visible character (€, $, →, a flag half, punctuation).
_LETTERS = r"[^\W\d_]+"
WORD_RE = re.compile(rf"{_LETTERS}(?:'{_LETTERS})*|\d+|_+|[^\w\s]")
# Emoji and pictographs that smugglers put between the letters of a word.
_EMOJI_CLASS = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff"
_MARK_CATEGORIES = frozenset({"Mn", "Me", "Cf"})


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text and, for each of its characters, the index of the original character."""

    text: str
    starts: tuple[int, ...]
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` that folded ``[start, end)`` came from."""
        if not self.text:
            return (0, 0)
        start = min(max(start, 0), len(self.text) - 1)
        end = min(max(end, start + 1), len(self.text))
        return self.starts[start], self.starts[end - 1] + 1


class Token(NamedTuple):
    """A word or symbol of the folded text: its text and folded character span.

    A named tuple, not a dataclass: an advert has a hundred of them and they are made fast.
    """

    text: str
    start: int
    end: int


_new_tuple = tuple.__new__
_GROUP = itemgetter(0)  # a match's text
_START, _END = re.Match.start, re.Match.end


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled lazily: each new character is folded once and cached."""

    def __init__(self, folder: Folder) -> None:
        super().__init__()
        self._folder = folder

    def __missing__(self, code: int) -> str:
        value = self._folder.fold_char(chr(code))
        self[code] = value
        if len(value) != 1:
            self._folder.irregular.add(chr(code))
        return value


class Folder:
    """Folds text as ``config/keywords/normalization.yaml`` says; one instance per pipeline."""

    def __init__(self, config: Normalization, *, light: bool = False) -> None:
        self.fold_map = dict(config.fold)
        self.elisions = frozenset(e.rstrip("'’").casefold() for e in config.elisions)
        self.remove = frozenset(config.remove)
        self.light = light  # light folding keeps letter variants (ي vs ی): the language detector needs them
        self.irregular: set[str] = set()
        self._irregular_re: re.Pattern[str] | None = None
        self._irregular_count = -1
        self._table = _FoldTable(self)
        separators = re.escape(config.obfuscation_separators)
        unit = r"[^\W_]"
        sep = f"(?:[{separators}]|[{_EMOJI_CLASS}]){{1,3}}"
        repeat = config.obfuscation_min_run - 1
        self._obfuscated = re.compile(rf"(?<![^\W_]){unit}(?:{sep}{unit}(?![^\W_])){{{repeat},}}")
        self._separator = re.compile(f"(?:[{separators}]|[{_EMOJI_CLASS}])")

    def fold_char(self, char: str) -> str:
        """One character folded: removed, mapped, or NFKC + marks dropped + lower case + mapped."""
        if char in self.remove:
            return ""
        if not self.light and char in self.fold_map:
            return self.fold_map[char]
        composed = unicodedata.normalize("NFKC", char)
        if composed.isascii():
            plain = composed
        else:
            decomposed = unicodedata.normalize("NFD", composed)
            plain = "".join(c for c in decomposed if unicodedata.category(c) not in _MARK_CATEGORIES)
        lowered = plain.casefold()
        if self.light:
            return "".join(c for c in lowered if c not in self.remove)
        return "".join(self.fold_map.get(c, c) for c in lowered if c not in self.remove)

    def fold(self, text: str, *, deobfuscate: bool = True) -> Folded:
        """Fold ``text``; with ``deobfuscate``, join letters and digits written apart."""
        folded = text.translate(self._table)
        # One regex scan for the irregular characters (a set's isdisjoint hashes every character).
        if len(folded) == len(text) and self._irregular_pattern().search(text) is None:
            starts: tuple[int, ...] = tuple(range(len(text)))
        else:
            folded, starts = self._fold_with_offsets(text)
        if deobfuscate and len(folded) >= 7:
            folded, starts = self._join_runs(folded, starts)
        return Folded(folded, starts, len(text))

    def fold_text(self, text: str) -> str:
        """``fold(text, deobfuscate=False).text`` without the offset map (same table, same text)."""
        return text.translate(self._table)

    def _fold_with_offsets(self, text: str) -> tuple[str, tuple[int, ...]]:
        """Fold with offsets when some character grows or vanishes: runs of ordinary characters map
        one to one (a range), only the irregular ones are handled one by one."""
        table = self._table
        pattern = self._irregular_pattern()
        pieces: list[str] = []
        starts: list[int] = []
        cursor = 0
        for match in pattern.finditer(text):
            index = match.start()
            if index > cursor:
                pieces.append(text[cursor:index].translate(table))
                starts.extend(range(cursor, index))
            piece = table[ord(text[index])]
            pieces.append(piece)
            starts.extend([index] * len(piece))
            cursor = index + 1
        if cursor < len(text):
            pieces.append(text[cursor:].translate(table))
            starts.extend(range(cursor, len(text)))
        return "".join(pieces), tuple(starts)

    def _irregular_pattern(self) -> re.Pattern[str]:
        """A character class of the characters that do not fold to exactly one character."""
        if self._irregular_re is None or self._irregular_count != len(self.irregular):
            chars = "".join(re.escape(c) for c in sorted(self.irregular)) or "\x00"
            self._irregular_re = re.compile(f"[{chars}]")
            self._irregular_count = len(self.irregular)
        return self._irregular_re

    def _join_runs(self, text: str, starts: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
        """``w.h.a.t.s.a.p.p`` -> ``whatsapp``; ``0 9 1 2 …`` -> ``0912…``: drop the separators."""
        runs = list(self._obfuscated.finditer(text))
        if not runs:
            return text, starts
        keep = [True] * len(text)
        for run in runs:
            for sep in self._separator.finditer(text, run.start(), run.end()):
                for i in range(sep.start(), sep.end()):
                    keep[i] = False
        chars = [c for c, k in zip(text, keep, strict=True) if k]
        new_starts = tuple(s for s, k in zip(starts, keep, strict=True) if k)
        return "".join(chars), new_starts

    def fold_term(self, term: str) -> str:
        """A keyword folded the way adverts are (no de-obfuscation: terms are written plainly)."""
        return self.fold(term, deobfuscate=False).text

    def tokenize(self, text: str) -> list[Token]:
        """Words and symbols of folded text, with their spans; French and Italian elisions
        (``l'``, ``d'``, ``dall'``) become tokens of their own, Turkish endings (``libya'dan``) stay."""
        # Built without a Python-level step per token (an advert has a hundred): map and zip run in
        # C, and tuple.__new__ skips the NamedTuple's own constructor, which is a Python function.
        matches = list(WORD_RE.finditer(text))
        spans = zip(map(_GROUP, matches), map(_START, matches), map(_END, matches), strict=True)
        tokens = list(map(_new_tuple, repeat(Token), spans))
        if "'" not in text or not self.elisions:
            return tokens
        split: list[Token] = []
        for token in tokens:
            head, apostrophe, _ = token.text.partition("'")
            if apostrophe and head in self.elisions:
                cut = token.start + len(head) + 1
                split.append(Token(token.text[: len(head) + 1], token.start, cut))
                split.append(Token(token.text[len(head) + 1 :], cut, token.end))
            else:
                split.append(token)
        return split

    def phrase(self, term: str) -> tuple[str, ...]:
        """The token texts of a keyword once folded: what a phrase in an advert must equal."""
        folded = self.fold_term(term)
        if folded.endswith("'") and folded[:-1] in self.elisions:  # a cue that is an elision: "d'"
            return (folded,)
        return tuple(token.text for token in self.tokenize(folded))
