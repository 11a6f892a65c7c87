"""MinHash signatures and LSH band keys (datasketch), the arithmetic of near-duplicate detection.

A signature is datasketch's MinHash (128 permutations, seed 1, affine32) of an advert's
character shingles (``indexer.textfold``). LSH cuts it into ``b`` bands of ``r`` rows,
datasketch's optimal choice for the threshold; two adverts sharing any band are candidates.
Signatures are stored by ``indexer.dedup``: shingle size, hashing and seed must never change
for an existing store.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

import numpy as np

from indexer.textfold import shingle_hashes

NUM_PERM = 128


def lsh_bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """datasketch's optimal (bands, rows) for this threshold."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return int(lsh.b), int(lsh.r)


@cache
def _permutations(num_perm: int) -> Any:
    """datasketch's random permutations (seed 1), made once: per advert they cost more than hashing."""
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=1).permutations


def _same(value: int) -> int:
    return value


def signature(text: str, num_perm: int = NUM_PERM) -> np.ndarray | None:
    """The MinHash signature (uint32) of the text's shingles, or None for text without words.

    The shingles arrive already hashed (``shingle_hashes``, vectorized), so datasketch's hash
    function is the identity; its affine32 scheme mixes (murmur finalizer) and permutes them.
    """
    from datasketch import MinHash

    hashes = shingle_hashes(text)
    if not len(hashes):
        return None
    minhash = MinHash(
        num_perm=num_perm, permutations=_permutations(num_perm), scheme="affine32", hashfunc=_same
    )
    minhash.update_batch(hashes.tolist())
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def band_keys(sig: np.ndarray, bands: int, rows: int) -> list[int]:
    """One signed 64-bit key per band (SQLite's INTEGER), the band's number mixed in."""
    keys = []
    for band in range(bands):
        chunk = sig[band * rows : (band + 1) * rows].tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)
