"""Text folded for near-duplicate detection: two reposts that differ only in letter variants,
digits, emoji, punctuation or spacing fold to the same string.

Deliberately independent of ``nlp`` (the indexer imports nothing of the enrichment): it only
needs to be the same for every advert, not linguistically perfect.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

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
# Every combining mark of the Basic Multilingual Plane, deleted by str.translate (fast in C).
_MARKS = dict.fromkeys(c for c in range(0x10000) if unicodedata.combining(chr(c)))
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


def shingle_hashes(text: str, size: int = SHINGLE_CHARS) -> np.ndarray:
    """32-bit hashes of the same shingles as :func:`shingles`, computed with numpy in one go.

    A polynomial hash over each window of code points (uint64 arithmetic wraps), folded to 32
    bits; datasketch's MinHash mixes the values further (murmur finalizer) before permuting.
    """
    folded = fold(text)
    if not folded:
        return np.empty(0, dtype=np.uint32)
    codes = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    windows = sliding_window_view(codes, min(size, len(codes)))
    hashes = np.zeros(len(windows), dtype=np.uint64)
    for column in range(windows.shape[1]):
        hashes = hashes * _PRIME + windows[:, column]
    return np.unique(((hashes >> np.uint64(32)) ^ hashes) & _LOW32).astype(np.uint32)
