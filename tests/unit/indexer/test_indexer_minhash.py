"""The batch paths of near-duplicate detection give exactly what the stored signatures were made with.

Signatures are kept in the near-duplicate store for good, so the numpy batch computation must
match, bit for bit, the definition: ``fold`` -> character 5-grams -> ``shingle_hashes`` ->
datasketch's MinHash (128 permutations, seed 1, affine32).
"""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import pytest
from datasketch import MinHash

from indexer.minhash import NUM_PERM, advert_text, band_key_matrix, band_keys, signature, signatures
from indexer.textfold import (
    _MARKS,
    _bmp_table,
    _folded_code,
    fold,
    folded_codes,
    shingle_hash_batch,
    shingle_hashes,
)
from tests.integration.indexer.corpus_items import corpus_items

TRICKY = [
    "",
    "🚤🚤",
    "a",
    "abcd",
    "abcde",
    "  leading and trailing  ",
    "snake_case and -_ mixed __ breaks",
    "İZMİR'DEN Réfugiés ﻙﺘﺎﺏ",  # dotted capital I, accents, Arabic presentation forms
    "مكتب ٣٥٠٠ يورو أإآٱؤئ ـــ",  # Eastern digits, letter variants, tatweel
    "رِحْلَةٌ مِنْ زُوارَة",  # harakat
    "lone \ud800 surrogate",
    "𝔣𝔯𝔞𝔨𝔱𝔲𝔯 𐐀𐐨 ✅📞",  # outside the Basic Multilingual Plane
]


def corpus_texts() -> list[str]:
    return [advert_text(item) for item in corpus_items()]


def random_texts(count: int) -> list[str]:
    rng = random.Random(5)  # noqa: S311 (test text, not a secret)
    marks = [chr(c) for c in range(0x300, 0x370)] + [chr(c) for c in range(0x64B, 0x660)]
    pool = [chr(c) for c in range(0x20, 0x800)] + [chr(c) for c in range(0x600, 0x700)] * 3 + marks
    pool += [" ", "_", "-", "\n", "ـ", "🚤", "𝔣", "\ufe8d"]
    return ["".join(rng.choice(pool) for _ in range(rng.randint(0, 40))) for _ in range(count)]


def reference_signature(text: str) -> np.ndarray | None:
    """datasketch itself, fed the shingle hashes (what the store's signatures were made with)."""
    hashes = shingle_hashes(text)
    if not len(hashes):
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashfunc=lambda value: value)
    minhash.update_batch(hashes.tolist())
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def test_batch_folding_is_fold() -> None:
    texts = corpus_texts() + TRICKY + random_texts(3000)
    codes, starts, lengths = folded_codes(texts)
    for text, start, length in zip(texts, starts, lengths, strict=True):
        folded = codes[start : start + length].tobytes().decode("utf-32-le", "surrogatepass")
        assert folded == fold(text), text


def test_batch_folding_handles_every_character_like_fold() -> None:
    every = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    texts = [f"a{char}b" for char in every]
    codes, starts, lengths = folded_codes(texts)
    for text, start, length in zip(texts, starts, lengths, strict=True):
        if codes[start : start + length].tobytes().decode("utf-32-le") != fold(text):
            pytest.fail(f"U+{ord(text[1]):04X} ({unicodedata.name(text[1], '?')}) folds otherwise")


def test_batch_shingle_hashes_are_the_shingle_hashes() -> None:
    texts = corpus_texts() + TRICKY + random_texts(500)
    hashes, starts, counts = shingle_hash_batch(texts)
    for text, start, count in zip(texts, starts, counts, strict=True):
        assert np.array_equal(np.unique(hashes[start : start + count]), shingle_hashes(text)), text


def assert_datasketch_signatures(texts: list[str]) -> None:
    for text, found in zip(texts, signatures(texts), strict=True):
        expected = reference_signature(text)
        if expected is None:
            assert found is None, text
        else:
            assert found is not None and np.array_equal(found, expected), text


def test_signatures_are_datasketch_minhashes() -> None:
    assert_datasketch_signatures(corpus_texts()[:150] + TRICKY)


def test_signatures_of_texts_across_blocks_and_longer_than_one() -> None:
    """The batch is cut into blocks of shingles: texts side by side, split between blocks, and a
    text longer than a whole block (with texts without words among them) give what datasketch gives."""
    long_text = " ".join(corpus_texts()[:80])  # far more shingles than one block holds
    assert_datasketch_signatures([*corpus_texts()[80:200], "", long_text, "!!!", *TRICKY, *random_texts(300)])


def test_the_folding_table_is_each_code_point_folded() -> None:
    table = _bmp_table()
    assert np.array_equal(table, np.array([_folded_code(code) for code in range(0x10000)], dtype=np.uint32))
    assert set(_MARKS) == {code for code in range(0x10000) if unicodedata.combining(chr(code))}


def test_one_text_or_a_batch_give_the_same_signature() -> None:
    texts = corpus_texts()[:20]
    for text, batched in zip(texts, signatures(texts), strict=True):
        single = signature(text)
        assert single is not None and batched is not None
        assert np.array_equal(single, batched)
    assert signatures([]) == []


def test_band_keys_of_a_batch_are_those_of_each_signature() -> None:
    sigs = [sig for sig in signatures(corpus_texts()[:50]) if sig is not None]
    matrix = band_key_matrix(np.stack(sigs), 9, 13)
    assert matrix.shape == (len(sigs), 9)
    for sig, row in zip(sigs, matrix.tolist(), strict=True):
        assert band_keys(sig, 9, 13) == row
    assert len({key for row in matrix.tolist() for key in row}) == matrix.size  # no accidental sharing


def test_advert_text_is_title_and_text() -> None:
    assert advert_text({"title": "Boot", "text": "naar Italië"}) == "Boot naar Italië"
    assert advert_text({"title": None, "text": "alleen tekst"}) == "alleen tekst"
    assert advert_text({"text": ["not", "text"]}) == ""
