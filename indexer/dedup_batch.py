"""Where each advert of one batch goes: the placement decisions of the near-duplicate store.

No I/O: :func:`plan_batch` is given what the store knows about the batch (adverts seen before,
the adverts sharing its band keys and their signatures) and decides, in order, so that
near-duplicates within one batch meet too. ``indexer.dedup`` reads those inputs and writes
the plan back in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from indexer.dedup_sql import Known
from indexer.minhash import NUM_PERM, band_key_matrix, signatures, similarity


class Sighting(NamedTuple):
    """What the store needs to know of one advert (a named tuple: the drain makes one per advert)."""

    advert_id: str
    doc_id: str
    source: str
    text: str
    date: str | None  # posted_at, else fetched_at (ISO, UTC)
    fetched_at: str | None
    # The MinHash of ``text`` if known already (the spool computes it at put time): b"" for text
    # without words; None: computed here.
    signature: bytes | None = None


class Placement(NamedTuple):
    """Where an advert landed: its cluster and when this advert itself was first and last fetched."""

    cluster_id: str
    first_seen: str | None
    last_seen: str | None
    joined: bool  # True when the advert is new to the store and joined an existing cluster


# Per sighting: its row in the band-key matrix (-1 without a signature) and those of its band keys
# that can find a candidate (``keys_that_matter``).
RowKeys = tuple[int, list[int]]


@dataclass
class BatchPlan:
    """The decisions for one batch, and the rows that record them."""

    placements: dict[str, Placement] = field(default_factory=dict)
    new_rows: list[tuple[object, ...]] = field(default_factory=list)  # adverts table rows to insert
    seen_rows: list[tuple[object, ...]] = field(default_factory=list)  # UPDATE_SEEN parameters
    banded: list[tuple[int, int]] = field(default_factory=list)  # (key matrix row, advert number)
    changed: set[str] = field(default_factory=set)  # clusters whose statistics changed
    created: set[str] = field(default_factory=set)  # clusters this batch started


def _min(a: str | None, b: str | None) -> str | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: str | None, b: str | None) -> str | None:
    return b if a is None else a if b is None else max(a, b)


def signatures_of(sightings: Sequence[Sighting]) -> list[np.ndarray | None]:
    """Each sighting's signature: the one it brings, else computed (all missing ones at once)."""
    width = NUM_PERM * 4
    sigs: list[np.ndarray | None] = [None] * len(sightings)
    missing = []
    for n, s in enumerate(sightings):
        if s.signature is not None and len(s.signature) == width:
            sigs[n] = np.frombuffer(s.signature, dtype=np.uint32)
        elif s.signature != b"":  # b"": known to have no words
            missing.append(n)
    for n, sig in zip(missing, signatures([sightings[n].text for n in missing]), strict=True):
        sigs[n] = sig
    return sigs


def band_keys_of(sigs: list[np.ndarray | None], bands: int, rows: int) -> tuple[np.ndarray, list[int]]:
    """The key matrix of the signatures present, and per sighting its row there (-1: no signature)."""
    present = [sig for sig in sigs if sig is not None]
    if not present:
        return np.empty((0, bands), dtype=np.int64), [-1] * len(sigs)
    matrix = band_key_matrix(np.stack(present), bands, rows)
    numbered = iter(range(len(present)))
    return matrix, [next(numbered) if sig is not None else -1 for sig in sigs]


def keys_that_matter(own: np.ndarray, rows: list[int], wanted: np.ndarray) -> dict[int, list[int]]:
    """Per matrix row (``rows``: the adverts new to the store; ``own``: their band keys), those of
    its keys that can find a candidate (``wanted``: shared with adverts in the store or with
    another new advert of the batch).

    Most adverts have none: placing them then costs no work per key in Python.
    """
    if not rows or len(wanted) == 0:
        return {}
    mask = np.isin(own, wanted)
    return {rows[n]: own[n][mask[n]].tolist() for n in np.flatnonzero(mask.any(axis=1)).tolist()}


def best_cluster(sig: np.ndarray, candidates: list[tuple[str, np.ndarray]], threshold: float) -> str | None:
    """The cluster of the most similar candidate at or above the threshold (ties: lowest id)."""
    best, best_score = None, threshold
    for cluster_id, other in candidates:
        score = similarity(sig, other)
        if score >= best_score and (best is None or score > best_score or cluster_id < best):
            best, best_score = cluster_id, score
    return best


def plan_batch(
    sightings: Sequence[Sighting],
    sigs: list[np.ndarray | None],
    keys: list[RowKeys],
    known: Known,
    nearby: dict[int, list[int]],
    candidates: dict[int, tuple[str, np.ndarray]],
    first_number: int,
    threshold: float,
) -> BatchPlan:
    """Place each advert, in order (single link: one similar member is enough to join).

    ``known``, ``nearby`` (band key -> advert numbers) and ``candidates`` (advert number ->
    cluster, signature) are updated as adverts are placed, so later adverts of the batch meet
    earlier ones. A new cluster's id is the document id of its first advert.
    """
    plan = BatchPlan()
    near_by = defaultdict(list, nearby)
    number = first_number
    for s, sig, (row, advert_keys) in zip(sightings, sigs, keys, strict=True):
        if s.advert_id in known:
            # Seen before (a re-crawl or a retried drain): same cluster, seen times widened.
            cluster_id, first, last = known[s.advert_id]
            widened = (_min(first, s.fetched_at), _max(last, s.fetched_at))
            if widened != (first, last):
                plan.changed.add(cluster_id)
            known[s.advert_id] = (cluster_id, *widened)
            plan.seen_rows.append((*widened, s.date, s.source, s.advert_id))
            plan.placements[s.advert_id] = Placement(cluster_id, *widened, joined=False)
            continue
        near = [n for key in advert_keys if key in near_by for n in near_by[key]]
        found = None
        if near and sig is not None:
            found = best_cluster(
                sig, [candidates[n] for n in dict.fromkeys(near) if n in candidates], threshold
            )
        cluster_id = found or s.doc_id
        plan.changed.add(cluster_id)
        if not found:
            plan.created.add(cluster_id)
        # The signature as brought along (bytes already), else as computed here.
        brought = s.signature is not None and len(s.signature) == NUM_PERM * 4
        blob = None if sig is None else s.signature if brought else sig.tobytes()
        plan.new_rows.append(
            (number, s.advert_id, s.doc_id, cluster_id, s.source, s.date, s.fetched_at, s.fetched_at, blob)
        )
        for key in advert_keys:  # later adverts of this batch meet this one
            near_by[key].append(number)
        if sig is not None:
            candidates[number] = (cluster_id, sig)
            plan.banded.append((row, number))
        known[s.advert_id] = (cluster_id, s.fetched_at, s.fetched_at)
        plan.placements[s.advert_id] = Placement(cluster_id, s.fetched_at, s.fetched_at, joined=bool(found))
        number += 1
    return plan
