"""``smokkelradar enrich`` and ``smokkelradar eval`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from radar.cli import app

runner = CliRunner()


def test_enrich_reads_json_lines_and_reports_bad_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": "a", "text": "boat from Zuwara to Lampedusa 3500 euro", "source": "forum"}\n'
        "this is not json\n"
        "\n"
        '{"id": "b", "text": "جوازات + فيزا شنغن @wathaiq_sham"}\n'
        "[1, 2]\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["enrich", str(source)])
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["a", "b"]
    assert records[0]["route"] == {"origin": "LY", "transit": [], "destination": "IT"}
    assert records[0]["source"] == "forum"
    assert records[1]["documents"] == ["passport", "schengen_visa"]
    assert f"{source}:2: not JSON" in result.stderr
    assert f"{source}:5: expected a JSON object, got list" in result.stderr


def test_enrich_reads_standard_input() -> None:
    result = runner.invoke(app, ["enrich"], input='{"id": 1, "text": "WhatsApp +90 534 721 98 63"}\n')
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["phones"][0]["e164"] == "+905347219863"


def test_enrich_refuses_a_broken_keyword_folder(tmp_path: Path) -> None:
    folder = tmp_path / "keywords"
    folder.mkdir()
    (folder / "x.yaml").write_text("name: x\nrelevance: {bias: high}\n", encoding="utf-8")
    result = runner.invoke(app, ["enrich", "--keywords", str(folder)], input="")
    assert result.exit_code == 1
    assert "x.yaml:2: relevance.bias" in result.stderr


@pytest.mark.slow
def test_eval_prints_figures_as_json() -> None:
    result = runner.invoke(app, ["eval", "--json"])
    assert result.exit_code == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["adverts"] >= 450
    assert set(figures["fields"]) >= {"route", "prices", "phones", "documents"}
    assert 0.5 < figures["relevance_auc"] <= 1.0


def test_eval_needs_a_corpus(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "--corpus", str(tmp_path)])
    assert result.exit_code == 1
    assert "no adverts_*.yaml" in result.stderr
