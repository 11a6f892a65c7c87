"""``keywords diff`` against the real Elasticsearch node with adverts of the demo corpus.

A change that adds a term reports exactly the adverts that gain it (and the saved search they
newly match); a change that breaks a language fails the tolerance, and the command says so with
its exit status.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from radar.cli import app
from tests.integration.workbench.world import SLANG, World, corpus_adverts, slang_advert
from workbench.diff import DiffOptions, run_diff
from workbench.keyword_sets import SHIPPED_KEYWORDS, load_files

pytestmark = pytest.mark.es


def test_a_new_term_reports_exactly_the_adverts_that_gain_it(world: World) -> None:
    slang = [slang_advert(n) for n in range(3)]
    world.index([*corpus_adverts(), *((advert_id, "chat", text) for advert_id, text in slang)])
    baseline = load_files(world.keywords)
    world.add_term("transport.yaml", SLANG)
    proposed = load_files(world.keywords)

    report = run_diff(
        baseline, proposed, against="before", client=world.client, alias=world.alias,
        searches=world.config.alerts, options=DiffOptions(sample=500, evaluate=False),
    )  # fmt: skip

    assert report.adverts == len(corpus_adverts()) + 3
    slang_ids = sorted(advert_id for advert_id, _ in slang)
    transport = next(change for change in report.fields if change.name == "transport")
    assert transport.gained == {"boat": slang_ids}
    assert transport.lost == {}
    assert [change.name for change in report.fields] == ["transport", "rules"]  # has_transport fires too
    boats = next(change for change in report.searches if change.search == "boats")
    assert sorted(boats.gained) == slang_ids and boats.lost == []
    passports = next(change for change in report.searches if change.search == "passports")
    assert passports.gained == passports.lost == []
    assert report.baseline_version != report.proposed_version


def test_breaking_a_language_fails_the_tolerance_with_exit_status_3(world: World, tmp_path: Path) -> None:
    world.index(corpus_adverts(per_language=2))
    broken = tmp_path / "broken"
    shutil.copytree(SHIPPED_KEYWORDS, broken)
    transport = broken / "transport.yaml"
    # Every Arabic transport word gone: Arabic adverts lose boat, car, plane ...
    transport.write_text(
        re.sub(r"\n      ar: \[[^\]]*\]", "", transport.read_text(encoding="utf-8")), encoding="utf-8"
    )
    result = CliRunner().invoke(
        app,
        ["keywords", "diff", "--against", str(SHIPPED_KEYWORDS), "--keywords", str(broken), "--config",
         str(world.radar_yaml), "--sample", "100", "--tolerance", "0.01"],
    )  # fmt: skip
    assert result.exit_code == 3, result.output
    assert re.search(r"ar transport f1: [0-9.]+ → [0-9.]+ \(-[0-9.]+\)  WORSE", result.output), result.output
    assert "FAILED: " in result.output

    same = CliRunner().invoke(
        app,
        ["keywords", "diff", "--against", str(SHIPPED_KEYWORDS), "--keywords", str(SHIPPED_KEYWORDS),
         "--config", str(world.radar_yaml), "--sample", "100"],
    )  # fmt: skip
    assert same.exit_code == 0, same.output
    assert "no figure changed" in same.output
    assert "no advert changes in any field" in same.output
