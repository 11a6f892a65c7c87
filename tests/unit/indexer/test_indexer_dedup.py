"""Near-duplicate clusters: text folding, MinHash/LSH placement, idempotence, persistence."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from indexer.dedup import NearDuplicates, Sighting
from indexer.minhash import lsh_bands, signatures
from indexer.textfold import fold, shingles

ADVERT = (
    "🇱🇾➡️🇮🇹 رحلة من زوارة إلى لامبيدوزا كل أسبوع، قارب كبير وآمن، السعر 3500 يورو للشخص، "
    "الأطفال مجانا، الدفع عند الوصول عن طريق مكتب، للتواصل واتساب +218912345678"
)
# The same advert reposted: other emoji, Persian yeh/keheh, Eastern digits, another phone number.
REPOST = (
    "🚤 رحلة من زوارة إلى لامبيدوزا كل أسبوع، قارب كبير وآمن، السعر ٣٥٠٠ يورو للشخص، "
    "الأطفال مجانا، الدفع عند الوصول عن طريق مکتب، للتواصل واتساب +218923456789"
)
OTHER = "Schengen visa and residence permit, real in the system, delivery in Istanbul within 10 days"


def sighting(advert_id: str, text: str, source: str = "demo", date: str = "2026-10-01T10:00:00Z") -> Sighting:
    return Sighting(advert_id, f"doc-{advert_id}", source, text, date, date)


@pytest.fixture
def store(tmp_path: Path) -> NearDuplicates:
    return NearDuplicates(tmp_path / "nd.sqlite", threshold=0.8)


def test_fold_unifies_letter_variants_digits_case_and_marks() -> None:
    assert fold("مكتب ٣٥٠٠") == fold("مکتب 3500")
    assert fold("İZMİR, Réfugiés!!") == "izmir refugies"
    assert fold("🚤🚤") == ""
    assert shingles("🚤") == set()


def test_repost_with_small_edits_joins_the_cluster_and_other_advert_does_not(store: NearDuplicates) -> None:
    placed = store.assign(
        [sighting("a", ADVERT), sighting("b", REPOST, source="other"), sighting("c", OTHER)]
    )

    assert placed["a"].cluster_id == "doc-a"
    assert placed["b"].cluster_id == "doc-a"
    assert placed["b"].joined
    assert placed["c"].cluster_id == "doc-c"
    stats = store.stats(["doc-a", "doc-c"])
    assert stats["doc-a"].size == 2
    assert stats["doc-a"].sources == ("demo", "other")
    assert stats["doc-c"].size == 1
    # Every member was placed in this batch, so their documents get the new statistics when built.
    assert store.dirty() == []


def test_a_cluster_with_members_from_earlier_batches_is_marked_dirty(store: NearDuplicates) -> None:
    store.assign([sighting("a", ADVERT), sighting("c", OTHER)])
    assert store.dirty() == []

    placed = store.assign([sighting("b", REPOST, source="other")])

    assert placed["b"].cluster_id == "doc-a"
    assert store.dirty() == ["doc-a"]  # a's document, indexed before, still says size 1


def test_seen_again_later_marks_its_cluster_dirty_only_with_other_members(store: NearDuplicates) -> None:
    store.assign([sighting("a", ADVERT, date="2026-10-01T10:00:00Z"), sighting("c", OTHER)])
    store.assign([sighting("b", REPOST, date="2026-10-02T10:00:00Z")])
    store.clean(store.dirty())

    store.assign([sighting("c", OTHER, date="2026-10-09T10:00:00Z")])  # alone in its cluster
    assert store.dirty() == []
    store.assign([sighting("b", REPOST, date="2026-10-09T10:00:00Z")])  # a has to learn of it
    assert store.dirty() == ["doc-a"]


def test_assigning_again_changes_nothing_but_seen_times(store: NearDuplicates) -> None:
    store.assign([sighting("a", ADVERT, date="2026-10-01T10:00:00Z"), sighting("b", REPOST)])
    before = store.stats(["doc-a"])["doc-a"]

    again = store.assign(
        [Sighting("b", "doc-b", "demo", REPOST, "2026-10-01T10:00:00Z", "2026-10-09T08:00:00Z")]
    )

    after = store.stats(["doc-a"])["doc-a"]
    assert again["b"].cluster_id == "doc-a"
    assert not again["b"].joined
    assert again["b"].last_seen == "2026-10-09T08:00:00Z"
    assert after.size == before.size == 2
    assert after.first_seen == "2026-10-01T10:00:00Z"
    assert after.last_seen == "2026-10-09T08:00:00Z"


def test_clusters_survive_reopening_the_store(tmp_path: Path) -> None:
    first = NearDuplicates(tmp_path / "nd.sqlite", threshold=0.8)
    first.assign([sighting("a", ADVERT)])
    first.close()

    second = NearDuplicates(tmp_path / "nd.sqlite", threshold=0.8)
    placed = second.assign([sighting("b", REPOST)])

    assert placed["b"].cluster_id == "doc-a"


def test_a_changed_threshold_rebands_the_stored_signatures(tmp_path: Path) -> None:
    first = NearDuplicates(tmp_path / "nd.sqlite", threshold=0.8)
    first.assign([sighting("a", ADVERT)])
    first.close()
    assert lsh_bands(0.8) != lsh_bands(0.6)

    second = NearDuplicates(tmp_path / "nd.sqlite", threshold=0.6)

    assert second.assign([sighting("b", REPOST)])["b"].cluster_id == "doc-a"


def test_texts_without_words_never_cluster_together(store: NearDuplicates) -> None:
    placed = store.assign([sighting("a", "🚤🚤"), sighting("b", "🚤🚤")])

    assert placed["a"].cluster_id == "doc-a"
    assert placed["b"].cluster_id == "doc-b"


def test_forget_removes_members_and_reports_clusters_left(store: NearDuplicates) -> None:
    store.assign([sighting("a", ADVERT), sighting("b", REPOST), sighting("c", OTHER)])
    store.clean(store.dirty())

    remaining = store.forget(["a", "c", "missing"])

    assert remaining == {"doc-a"}  # b is left, under the id its cluster always had
    assert store.stats(["doc-a"])["doc-a"].size == 1
    assert store.dirty() == ["doc-a"]
    assert store.members("doc-a") == ["doc-b"]
    assert store.count() == 1


def _keys_stored(store: NearDuplicates) -> int:
    rows = store._db.execute("SELECT keys FROM band_segments").fetchall()
    return sum(len(blob) for (blob,) in rows) // 8


def test_band_keys_merged_into_larger_segments_are_still_found_and_forgotten(store: NearDuplicates) -> None:
    texts = [f"{OTHER} number {n} of many, each one different {n * 7919}" for n in range(40)]
    for n, text in enumerate(texts):  # one batch each: the segments are merged as they come
        store.assign([sighting(f"x{n}", text)])
    store.assign([sighting("a", ADVERT)])
    segments = store._db.execute("SELECT COUNT(*) FROM band_segments").fetchone()[0]
    assert 1 <= segments <= 6  # 41 batches, merged as a binary counter carries
    assert _keys_stored(store) == 41 * store.bands

    assert store.assign([sighting("b", REPOST)])["b"].cluster_id == "doc-a"

    store.forget(["a", "b", *(f"x{n}" for n in range(40))])
    assert _keys_stored(store) == 0
    assert store.assign([sighting("c", ADVERT)])["c"].cluster_id == "doc-c"  # a's keys are gone


def test_two_stores_on_one_file_see_each_others_keys(tmp_path: Path) -> None:
    one = NearDuplicates(tmp_path / "nd.sqlite", threshold=0.8)
    other = NearDuplicates(tmp_path / "nd.sqlite", threshold=0.8)
    one.assign([sighting("x", OTHER)])
    other.assign([sighting("a", ADVERT)])  # other's copy loads x's segment, then merges it with a's

    assert one.assign([sighting("b", REPOST)])["b"].cluster_id == "doc-a"
    assert other.assign([sighting("c", f"{REPOST} ✅")])["c"].cluster_id == "doc-a"
    other.forget(["a", "b", "c"])
    assert one.assign([sighting("d", ADVERT)])["d"].cluster_id == "doc-d"  # one's copy dropped their keys


def test_a_store_banded_the_old_way_is_banded_again_once(tmp_path: Path) -> None:
    first = NearDuplicates(tmp_path / "nd.sqlite", threshold=0.8)
    first.assign([sighting("a", ADVERT)])
    first._db.executescript(
        "DELETE FROM band_segments; CREATE TABLE bands (key INTEGER, advert INTEGER);"
        "UPDATE meta SET value = '9x13 mix64' WHERE key = 'banding';"  # a row per key, before segments
    )
    first.close()

    second = NearDuplicates(tmp_path / "nd.sqlite", threshold=0.8)

    assert second.assign([sighting("b", REPOST)])["b"].cluster_id == "doc-a"
    tables = {row[0] for row in second._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "bands" not in tables


def test_a_signature_brought_along_is_used_as_is(store: NearDuplicates) -> None:
    (sig,) = signatures([ADVERT])
    assert sig is not None
    placed = store.assign(
        [
            sighting("a", ADVERT),
            Sighting("b", "doc-b", "demo", "text ignored", None, None, sig.tobytes()),
            Sighting("c", "doc-c", "demo", ADVERT, None, None, b""),  # known to have no words
        ]
    )

    assert placed["b"].cluster_id == "doc-a"
    assert placed["c"].cluster_id == "doc-c"


def test_statistics_given_with_the_placements_are_those_read_afterwards(tmp_path: Path) -> None:
    rng = random.Random(3)  # noqa: S311 (test data)
    texts = [ADVERT, REPOST, OTHER, "🚤", f"{OTHER} extra words", f"{ADVERT} ✅"]
    store = NearDuplicates(tmp_path / "nd.sqlite", threshold=0.8)
    for batch in range(6):
        sightings = []
        for n in range(12):
            day = rng.choice([None, f"2026-10-{rng.randint(1, 28):02d}T10:00:00Z"])
            fetched = rng.choice([None, f"2026-11-{rng.randint(1, 28):02d}T10:00:00Z"])
            advert_id = f"{batch}-{n}" if rng.random() < 0.8 else f"0-{n}"  # some seen again
            source = rng.choice(["a", "b", "c,d"])
            sightings.append(Sighting(advert_id, f"doc-{advert_id}", source, rng.choice(texts), day, fetched))
        placements, given = store.place(list({s.advert_id: s for s in sightings}.values()))

        assert given == store.stats({p.cluster_id for p in placements.values()})


def test_only_members_indexed_before_the_last_change_need_the_new_statistics(store: NearDuplicates) -> None:
    store.assign([sighting("a", ADVERT)])
    store.assign([sighting("b", REPOST, source="other")])  # a's document is stale, b's is not
    assert store.members_to_update("doc-a") == ["doc-a"]

    store.assign([sighting("c", f"{REPOST} ✅", source="third")])  # now a's and b's are stale
    assert store.members_to_update("doc-a") == ["doc-a", "doc-b"]

    store.forget(["c"])  # c's departure changes every remaining member
    assert store.members_to_update("doc-a") == ["doc-a", "doc-b"]
    store.assign([sighting("d", ADVERT)])  # a later change does not narrow that down (d: harmless)
    assert store.members_to_update("doc-a") == ["doc-a", "doc-b", "doc-d"]


def test_a_dirty_mark_from_before_means_every_member(tmp_path: Path) -> None:
    first = NearDuplicates(tmp_path / "nd.sqlite", threshold=0.8)
    first.assign([sighting("a", ADVERT)])
    first.assign([sighting("b", REPOST)])
    first._db.executescript(
        "DROP TABLE dirty_clusters; CREATE TABLE dirty_clusters (cluster_id TEXT PRIMARY KEY);"
    )
    first._db.execute("INSERT INTO dirty_clusters VALUES ('doc-a')")
    first.close()

    second = NearDuplicates(tmp_path / "nd.sqlite", threshold=0.8)

    assert second.dirty() == ["doc-a"]
    assert second.members_to_update("doc-a") == ["doc-a", "doc-b"]
