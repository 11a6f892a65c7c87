"""Near-duplicate clusters: text folding, MinHash/LSH placement, idempotence, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.dedup import NearDuplicates, Sighting
from indexer.minhash import lsh_bands
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
