"""MinHash signatures and LSH band keys, the arithmetic of near-duplicate detection.

A signature is the MinHash of an advert's character shingles (``indexer.textfold``) with 128
permutations in datasketch's "affine32" scheme, seed 1: each 32-bit shingle hash is mixed
with the MurmurHash3 finalizer, then permuted as ``a * h + b`` modulo 2**32, and the minimum
kept per permutation. The drain computes the signatures of a whole batch with numpy
(:func:`signatures`) instead of one datasketch object per advert; a unit test holds them equal
to datasketch's. LSH cuts a signature into ``b`` bands of ``r`` rows, datasketch's optimal
choice for the threshold; two adverts sharing a band key are candidates.

Signatures are stored by ``indexer.dedup``: shingle size, hashing and seed must never change
for an existing store. Band keys may (the store re-bands its signatures when ``BANDING``
changes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np

from indexer.textfold import shingle_hash_batch

NUM_PERM = 128
SEED = 1
# Recorded in the store next to (bands, rows): another value makes the store re-band its signatures.
BANDING = "mix64"

_U32 = np.uint32


def advert_text(item: Mapping[str, Any]) -> str:
    """The text an advert's signature is computed over: its title and text."""
    return " ".join(value for value in (item.get("title"), item.get("text")) if isinstance(value, str))


def lsh_bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """datasketch's optimal (bands, rows) for this threshold."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return int(lsh.b), int(lsh.r)


@cache
def permutations(num_perm: int = NUM_PERM) -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations ``(a, b)`` (uint32, ``a`` odd) drawn as datasketch draws them for seed 1."""
    generator = np.random.RandomState(SEED)  # the legacy generator: what datasketch uses
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * _U32(2) + _U32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _mix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (a bijection): spreads the shingle hashes before permuting."""
    values = values ^ (values >> _U32(16))
    values = values * _U32(0x85EBCA6B)
    values = values ^ (values >> _U32(13))
    values = values * _U32(0xC2B2AE35)
    mixed: np.ndarray = values ^ (values >> _U32(16))
    return mixed


# How many shingle columns one block of permutations holds (128 rows of uint32: 4 MB). Larger
# blocks fall out of the CPU's caches; smaller ones pay numpy's per-call cost more often.
_BLOCK = 8192


def signatures(texts: Sequence[str], num_perm: int = NUM_PERM) -> list[np.ndarray | None]:
    """The MinHash signature (uint32) of each text's shingles, or None for text without words.

    The shingles of many texts at once: one row per permutation, one column per shingle, the
    texts side by side (uint32 arithmetic wraps, mod 2**32), then each text's minima with one
    ``reduceat`` (measured with the shingles: 27 → 19 µs per advert text, against numpy calls
    per text).
    """
    a, b = permutations(num_perm)
    hashes, starts, counts = shingle_hash_batch(texts)
    mixed = _mix32(hashes)
    found: list[np.ndarray | None] = [None] * len(texts)
    worded = np.flatnonzero(counts)
    if not len(worded):
        return found
    # Texts in the order of their shingles (a short text's one shingle sits at the end).
    order = worded[np.argsort(starts[worded], kind="stable")]
    begins = starts[order]
    ends = begins + counts[order]
    minima = np.empty((len(order), num_perm), dtype=np.uint32)
    scratch = np.empty(num_perm * max(_BLOCK, int(counts.max())), dtype=np.uint32)
    column_a, column_b = a[:, None], b[:, None]
    begin_list, end_list = begins.tolist(), ends.tolist()
    first = 0
    while first < len(order):
        # As many texts as fit in one block (a longer text alone).
        low, last = begin_list[first], first + 1
        while last < len(order) and end_list[last] - low <= _BLOCK:
            last += 1
        high = end_list[last - 1]
        permuted = scratch[: num_perm * (high - low)].reshape(num_perm, high - low)
        np.multiply(column_a, mixed[low:high], out=permuted)
        np.add(permuted, column_b, out=permuted)
        # Each text's range, then the gap to the next (windows across two texts): minima of both,
        # only the texts' kept.
        bounds = np.empty(2 * (last - first) - 1, dtype=np.intp)
        bounds[0::2] = begins[first:last] - low
        bounds[1::2] = ends[first : last - 1] - low
        minima[first:last] = np.minimum.reduceat(permuted, bounds, axis=1)[:, 0::2].T
        first = last
    for row, text in enumerate(order.tolist()):
        found[text] = minima[row]
    return found


def signature(text: str, num_perm: int = NUM_PERM) -> np.ndarray | None:
    """The MinHash signature of one text (see :func:`signatures`)."""
    return signatures([text], num_perm)[0]


_M1 = np.uint64(0xFF51AFD7ED558CCD)  # MurmurHash3's 64-bit finalizer constants
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_FNV = np.uint64(1_099_511_628_211)
_33 = np.uint64(33)


def band_key_matrix(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Band keys of stacked signatures ``(n, num_perm)``: ``(n, bands)`` signed 64-bit (SQLite INTEGER).

    Each band's rows are folded into 64 bits (FNV-style multiply-xor, the band's number as the
    start) and mixed (murmur finalizer). A collision only makes a false candidate, which the
    similarity check then turns away.
    """
    wide = sigs.astype(np.uint64)
    keys = np.empty((len(sigs), bands), dtype=np.uint64)
    for band in range(bands):
        key = np.full(len(sigs), band + 1, dtype=np.uint64)
        for row in range(band * rows, (band + 1) * rows):
            key = (key ^ wide[:, row]) * _FNV
        key ^= key >> _33
        key *= _M1
        key ^= key >> _33
        key *= _M2
        key ^= key >> _33
        keys[:, band] = key
    return keys.view(np.int64)


def band_keys(sig: np.ndarray, bands: int, rows: int) -> list[int]:
    """The band keys of one signature."""
    return [int(key) for key in band_key_matrix(sig[None, :], bands, rows)[0]]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)
