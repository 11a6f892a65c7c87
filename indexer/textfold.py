"""Text folded for near-duplicate detection: two reposts that differ only in letter variants,
digits, emoji, punctuation or spacing fold to the same string.

Deliberately independent of ``nlp`` (the indexer imports nothing of the enrichment): it only
needs to be the same for every advert, not linguistically perfect.

:func:`fold` and :func:`shingles` define the folding and the shingles. The drain uses
:func:`shingle_hash_batch`, which computes the hashes of exactly those shingles for a whole
batch of texts with a few numpy operations (a per-character lookup table instead of
``str.translate`` and a regular expression per text); a unit test holds the two to the same
result, because stored signatures depend on it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache

import numpy as np

# Eastern Arabic and Persian digits to ASCII; Arabic-script letter variants to one form each.
_FOLD = str.maketrans(
    {
        **{chr(0x0660 + n): str(n) for n in range(10)},
        **{chr(0x06F0 + n): str(n) for n in range(10)},
        "ي": "ی",  # Arabic yeh -> Persian yeh
        "ى": "ی",  # alef maksura
        "ك": "ک",  # Arabic kaf -> keheh
        "ة": "ه",  # teh marbuta
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ی",
        "ـ": None,  # tatweel
    }
)
# Every code point of the Basic Multilingual Plane (surrogates included) and its combining class,
# scanned in C (``map``).
_BMP = np.arange(0x10000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
_COMBINING = np.fromiter(map(unicodedata.combining, _BMP), dtype=np.uint8, count=0x10000)
# Every combining mark of the Basic Multilingual Plane, deleted by str.translate (fast in C).
_MARKS = dict.fromkeys(np.flatnonzero(_COMBINING).tolist())
_NOT_WORD = re.compile(r"[^\w]+|_+")

SHINGLE_CHARS = 5


def fold(text: str) -> str:
    """Lower-case letters and digits separated by single spaces; accents and marks removed."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD).casefold()
    # Decompose, then drop combining marks (Latin accents, Arabic harakat, Turkish dotted-i's dot).
    text = unicodedata.normalize("NFD", text).translate(_MARKS)
    return _NOT_WORD.sub(" ", text).strip()


def shingles(text: str, size: int = SHINGLE_CHARS) -> set[bytes]:
    """Character ``size``-grams of the folded text (robust to small edits); empty for empty text."""
    folded = fold(text)
    if not folded:
        return set()
    if len(folded) <= size:
        return {folded.encode("utf-8")}
    return {folded[i : i + size].encode("utf-8") for i in range(len(folded) - size + 1)}


_PRIME = np.uint64(1_099_511_628_211)  # FNV-1's 64-bit prime: spreads code points over the bits
_LOW32 = np.uint64(0xFFFFFFFF)

# ---------------------------------------------------------------- the batch path

# What the lookup table maps a code point to besides another code point.
_DELETE = np.uint32(0xFFFFFFFF)  # combining marks and tatweel: removed, joining their neighbours
_SPACE = np.uint32(0x20)  # anything that is not a word character: a word break
_UNDERSCORE = np.uint32(0x5F)  # "_" is a word break of its own kind (see folded_codes)


def _folded_code(code: int) -> int:
    """Where one code point (already NFKC-, case- and NFD-normalized) ends up in :func:`fold`."""
    char = chr(code)
    if code < 0x10000 and unicodedata.combining(char):
        return int(_DELETE)
    # Mapped after NFD rather than before it (as fold does): the precomposed letters the table
    # maps (أ, إ, آ, ؤ, ئ) decompose into a base letter and a mark, so only their bases remain.
    mapped = char.translate(_FOLD)
    if not mapped:
        return int(_DELETE)
    if mapped == "_":
        return int(_UNDERSCORE)
    return ord(mapped) if mapped.isalnum() else int(_SPACE)


@cache
def _bmp_table() -> np.ndarray:
    """:func:`_folded_code` for the whole Basic Multilingual Plane, built once.

    The same decisions for all 65,536 code points at once (a loop of :func:`_folded_code` took
    ≈13 ms of a crawl's first spool batch); a unit test holds the two equal.
    """
    table = np.arange(0x10000, dtype=np.uint32)
    table[~np.fromiter(map(str.isalnum, _BMP), dtype=bool, count=0x10000)] = _SPACE
    table[ord("_")] = _UNDERSCORE
    for code, mapped in _FOLD.items():  # a few dozen letters and digits, each to one character or none
        table[code] = _DELETE if mapped is None else (ord(mapped) if mapped.isalnum() else _SPACE)
    table[_COMBINING != 0] = _DELETE
    return table


def _normalized(text: str) -> str:
    return unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())


def folded_codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The code points of every text folded, concatenated: ``(codes, starts, lengths)``.

    Text ``n`` is ``codes[starts[n] : starts[n] + lengths[n]]``, the same characters as
    ``fold(texts[n])``.
    """
    normalized = [_normalized(text) for text in texts]
    raw = np.frombuffer("".join(normalized).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    owner = np.repeat(np.arange(len(texts)), [len(text) for text in normalized])
    table = _bmp_table()
    codes = table[np.minimum(raw, 0xFFFF)]
    high = np.flatnonzero(raw > 0xFFFF)  # emoji and rarer scripts: few, looked up one by one
    if len(high):
        codes[high] = [_folded_code(int(code)) for code in raw[high]]
    kept = codes != _DELETE
    codes, owner = codes[kept], owner[kept]
    # What fold's regular expression and strip() do: a run of non-word characters becomes one
    # space, and so does a run of "_" (so "-_" gives two); breaks before the first and after
    # the last word character of a text go.
    breaks = (codes == _SPACE) | (codes == _UNDERSCORE)
    word_at = np.flatnonzero(~breaks)
    if len(word_at):
        word_owner = owner[word_at]
        # Each text's first and last word character, worked out once per text (not per character);
        # a text without any has none inside.
        numbers = np.arange(len(texts))
        first = np.minimum(np.searchsorted(word_owner, numbers, side="left"), len(word_at) - 1)
        last = np.maximum(np.searchsorted(word_owner, numbers, side="right") - 1, 0)
        lowest = np.where(word_owner[first] == numbers, word_at[first], len(codes))
        position = np.arange(len(codes))
        inside = (lowest[owner] < position) & (position < word_at[last][owner])
        repeated = np.concatenate(([False], (codes[1:] == codes[:-1]) & (owner[1:] == owner[:-1])))
        kept = ~breaks | (inside & ~repeated)
        codes, owner = codes[kept], owner[kept]
        codes[codes == _UNDERSCORE] = _SPACE
    else:
        codes, owner = codes[:0], owner[:0]
    lengths = np.bincount(owner, minlength=len(texts))
    starts = (np.cumsum(lengths) - lengths).astype(np.int64)
    return codes, starts, lengths


def shingle_hash_batch(
    texts: Sequence[str], size: int = SHINGLE_CHARS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 32-bit hashes of every text's shingles, as :func:`shingle_hashes` computes them:
    ``(hashes, starts, counts)``, text ``n``'s being ``hashes[starts[n] : starts[n] + counts[n]]``.

    Unsorted and possibly repeated: a MinHash takes minima, so neither matters.
    """
    codes, starts, lengths = folded_codes(texts)
    wide = codes.astype(np.uint64)
    # The hash of every window of the concatenation; only windows inside one text are used.
    hashes = _window_hashes(wide, size) if len(wide) >= size else np.empty(0, dtype=np.uint32)
    counts = np.maximum(lengths - size + 1, 0)
    short = np.flatnonzero((lengths > 0) & (lengths < size))
    if len(short):  # shorter than a shingle: the whole text is the one shingle, hashed at the end
        extra = [_window_hashes(wide[starts[n] : starts[n] + lengths[n]], int(lengths[n])) for n in short]
        starts = starts.copy()
        starts[short] = len(hashes) + np.arange(len(short))
        counts[short] = 1
        hashes = np.concatenate([hashes, *extra])
    return hashes, starts, counts


def _window_hashes(codes: np.ndarray, size: int) -> np.ndarray:
    windows = len(codes) - size + 1
    hashes = np.zeros(windows, dtype=np.uint64)
    for column in range(size):
        hashes = hashes * _PRIME + codes[column : column + windows]
    return (((hashes >> np.uint64(32)) ^ hashes) & _LOW32).astype(np.uint32)


def shingle_hashes(text: str, size: int = SHINGLE_CHARS) -> np.ndarray:
    """32-bit hashes of the same shingles as :func:`shingles`, sorted and unique.

    A polynomial hash over each window of code points (uint64 arithmetic wraps), folded to 32
    bits; the MinHash mixes the values further (murmur finalizer) before permuting.
    """
    folded = fold(text)
    if not folded:
        return np.empty(0, dtype=np.uint32)
    codes = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    return np.unique(_window_hashes(codes, min(size, len(codes))))
