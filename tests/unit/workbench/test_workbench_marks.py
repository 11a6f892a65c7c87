"""``keywords test``: the findings of one text located in it, with a keyword file laid over its folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from radar.cli import app
from workbench.keyword_sets import SHIPPED_KEYWORDS

TEXT = "Zorgbot from Zuwara to Lampedusa, 2500 euro per person, fake passport, WhatsApp +218913000001"


def _marks(output: str) -> list[tuple[str, str, str]]:
    return [(m["kind"], m["text"], m["label"]) for m in json.loads(output)["marks"]]


def test_each_entity_and_fired_rule_is_marked(tmp_path: Path) -> None:
    runner = CliRunner()
    before = runner.invoke(app, ["keywords", "test", str(SHIPPED_KEYWORDS), "--text", TEXT, "--json"])
    assert before.exit_code == 0, before.output
    marks = _marks(before.output)
    assert ("place", "Zuwara", "LY (origin)") in marks
    assert ("place", "Lampedusa", "IT (destination)") in marks
    assert ("document", "passport", "passport") in marks
    assert ("qualifier", "fake", "fake") in marks
    assert ("phone", "+218913000001", "+218913000001") in marks
    assert not [m for m in marks if m[0] == "transport"]
    result = json.loads(before.output)
    assert {rule["rule"] for rule in result["record"]["rules"]} >= {
        r["rule"] for r in result["feature_rules"]
    }
    for mark in result["marks"]:
        assert TEXT[mark["start"] : mark["end"]] == mark["text"]

    draft = tmp_path / "transport.yaml"
    shutil.copy(SHIPPED_KEYWORDS / "transport.yaml", draft)
    draft.write_text(draft.read_text(encoding="utf-8").replace("boat, boats,", "boat, boats, zorgbot,"))
    after = runner.invoke(
        app, ["keywords", "test", str(draft), "-k", str(SHIPPED_KEYWORDS), "--text", TEXT, "--json"]
    )
    assert after.exit_code == 0, after.output
    assert ("transport", "Zorgbot", "boat") in _marks(after.output)
    assert json.loads(after.output)["record"]["transport"] == ["boat"]


def test_terminal_output_shows_the_text_and_the_rules() -> None:
    result = CliRunner().invoke(app, ["keywords", "test", str(SHIPPED_KEYWORDS), "--text", TEXT])
    assert result.exit_code == 0, result.output
    assert "Zuwara" in result.output and "relevance rules that fired" in result.output
    assert "keywords version" in result.output
