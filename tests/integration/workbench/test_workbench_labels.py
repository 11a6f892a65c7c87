"""Labels on the real node: ``smokkelradar label`` stores a label with user and time apart from the
shipped corpus, and ``smokkelradar eval --labels`` changes with it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from indexer.document import doc_id
from radar.cli import app
from radar.errors import Code, RadarError
from tests.integration.workbench.world import World, corpus_adverts, slang_advert
from workbench.labels import LabelStore, labels_path

pytestmark = pytest.mark.es


def _figures(world: World) -> dict[str, object]:
    result = CliRunner().invoke(app, ["eval", "--labels", "--json", "--config", str(world.radar_yaml)])
    assert result.exit_code == 0, result.output
    figures: dict[str, object] = json.loads(result.output)
    return figures


def test_a_label_changes_eval_labels(world: World) -> None:
    slang_id, slang_text = slang_advert(0)
    decoy_id = "corpus:en-001"
    world.index([*corpus_adverts(per_language=2), (slang_id, "chat", slang_text)])
    empty = _figures(world)
    assert empty["labels"] == 0

    runner = CliRunner()
    given = runner.invoke(
        app, ["label", slang_id, "relevant", "--user", "officer-a", "--config", str(world.radar_yaml)]
    )
    assert given.exit_code == 0, given.output
    assert f"labelled {slang_id} relevant" in given.output
    one = _figures(world)
    assert one["labels"] == 1
    assert one["relevance"] == {
        **one["relevance"],  # type: ignore[dict-item]
        "labelled": 1, "relevant": 1, "true_positives": 1, "recall": 1.0,
    }  # fmt: skip

    # By document id this time, and a field judged wrong: the slang advert has no transport yet.
    wrong = runner.invoke(
        app,
        ["label", doc_id(slang_id), "wrong-field", "transport", "--note", "it is a boat", "--user",
         "analyst-b", "--config", str(world.radar_yaml)],
    )  # fmt: skip
    assert wrong.exit_code == 0, wrong.output
    runner.invoke(
        app, ["label", decoy_id, "not-relevant", "--user", "officer-a", "--config", str(world.radar_yaml)]
    )
    two = _figures(world)
    assert two["labels"] == 3 and two["adverts"] == 2
    assert two["wrong_fields"] == {"transport": {"labelled": 1, "still_wrong": 1, "changed": 0}}

    with LabelStore(labels_path(world.config)) as store:
        labels = store.all()
    assert [(label.advert_id, label.verdict, label.field, label.user) for label in labels] == [
        (slang_id, "relevant", None, "officer-a"),
        (slang_id, "wrong-field", "transport", "analyst-b"),
        (decoy_id, "not-relevant", None, "officer-a"),
    ]
    assert labels[1].note == "it is a boat" and labels[1].snapshot["items"] == []

    bad = runner.invoke(app, ["label", slang_id, "wrong-field", "--config", str(world.radar_yaml)])
    # The console script prints a RadarError as "SR-E804: ..." and exits 1 (radar.cli.run).
    assert isinstance(bad.exception, RadarError) and bad.exception.code == Code.LABEL_INVALID
