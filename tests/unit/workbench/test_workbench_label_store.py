"""Labels stored apart from the shipped corpus, with user and time; the figures on them follow every label."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from nlp import build_pipeline
from radar.errors import Code, RadarError
from workbench.label_eval import format_label_figures, label_figures
from workbench.labels import LabelStore

OFFER = "Boat from Zuwara to Lampedusa every week, 2500 euro per person, WhatsApp +218913000001"
NEWS = "The coast guard rescued 40 people from a boat near Lampedusa, the ministry said in a statement."


@pytest.fixture(scope="module")
def nlp() -> object:
    return build_pipeline(None)


def _add(
    store: LabelStore, advert_id: str, verdict: str, text: str, field: str | None = None, **snapshot: object
) -> None:
    store.add(
        advert_id=advert_id, doc_id=f"doc-{advert_id}", verdict=verdict, field=field, note="",
        user="officer-a", title=None, text=text, snapshot=dict(snapshot),
        at=datetime(2026, 11, 1, tzinfo=UTC),
    )  # fmt: skip


def test_a_label_changes_the_figures(tmp_path: Path, nlp: object) -> None:
    with LabelStore(tmp_path / "labels.sqlite") as store:
        assert label_figures(nlp, store.current())["labels"] == 0  # type: ignore[arg-type]
        _add(store, "offer", "relevant", OFFER)
        one = label_figures(nlp, store.current())  # type: ignore[arg-type]
        assert one["relevance"]["true_positives"] == 1 and one["relevance"]["recall"] == 1.0
        _add(store, "news", "relevant", NEWS)  # an officer who thinks the news item matters
        two = label_figures(nlp, store.current())  # type: ignore[arg-type]
        assert two["relevance"]["false_negatives"] == 1 and two["relevance"]["recall"] == 0.5
        _add(store, "news", "not-relevant", NEWS)  # a later verdict replaces the earlier one
        three = label_figures(nlp, store.current())  # type: ignore[arg-type]
        assert three["labels"] == 2 and three["relevance"]["true_negatives"] == 1
        assert three["relevance"]["roc_auc"] == 1.0
        _add(store, "offer", "wrong-field", OFFER, field="transport", items=["boat"])
        four = label_figures(nlp, store.current())  # type: ignore[arg-type]
        assert four["wrong_fields"] == {"transport": {"labelled": 1, "still_wrong": 1, "changed": 0}}
        assert "wrong transport: 1 labelled, 1 still wrong, 0 changed since" in format_label_figures(four)
        assert len(store.all()) == 4


@pytest.mark.parametrize(
    ("verdict", "field", "message"),
    [
        ("maybe", None, "a label is one of relevant, not-relevant, wrong-field, got 'maybe'"),
        ("wrong-field", None, "wrong-field needs the field that is wrong"),
        ("wrong-field", "colour", "wrong-field needs the field that is wrong"),
        ("relevant", "transport", "only wrong-field labels name a field, not relevant"),
    ],
)
def test_bad_labels_are_refused(tmp_path: Path, verdict: str, field: str | None, message: str) -> None:
    with LabelStore(tmp_path / "labels.sqlite") as store, pytest.raises(RadarError, match=message) as refused:
        _add(store, "a", verdict, OFFER, field)
    assert refused.value.code == Code.LABEL_INVALID
