"""``smokkelradar config check``: exit codes and the printed ``file:line: key path: message``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from radar.cli import app

REPO = Path(__file__).resolve().parents[3]
FIXTURES = "tests/unit/config/fixtures"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("SMOKKELRADAR_CONFIG", raising=False)
    monkeypatch.setenv("SMOKKELRADAR_DEMO_WEB", "http://127.0.0.1:8123")


def test_default_is_config_radar_yaml_and_it_is_valid() -> None:
    result = runner.invoke(app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("configuration is valid (config/radar.yaml: 5 sources (0 enabled), ")


def test_demo_configuration_is_valid() -> None:
    result = runner.invoke(app, ["config", "check", "config/demo/radar.yaml"])
    assert result.exit_code == 0, result.output


def test_typo_prints_file_line_key_path_message_and_exits_1() -> None:
    result = runner.invoke(app, ["config", "check", f"{FIXTURES}/unknown_key/sources/forum.yaml"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{FIXTURES}/unknown_key/sources/forum.yaml:9: sources[0].selectors.fields.titel: "
        "unknown key 'titel' (did you mean 'title'?)  [SR-E101]",
        "1 problem found.",
    ]


def test_several_paths_report_every_problem_and_a_count() -> None:
    result = runner.invoke(
        app, ["config", "check", f"{FIXTURES}/wrong_type", f"{FIXTURES}/bad_regex/sources/forum.yaml"]
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{FIXTURES}/bad_regex/sources/forum.yaml:12: sources[0].allow[1]: ")
    assert lines[1] == (
        f"{FIXTURES}/wrong_type/sources/forum.yaml:10: sources[0].max_pages: "
        "expected a whole number, got 'ten'  [SR-E102]"
    )
    assert lines[2] == "2 problems found."


def test_config_option_and_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = f"{FIXTURES}/missing_file/radar.yaml"
    by_option = runner.invoke(app, ["config", "check", "--config", broken])
    monkeypatch.setenv("SMOKKELRADAR_CONFIG", broken)
    by_variable = runner.invoke(app, ["config", "check"])
    for result in (by_option, by_variable):
        assert result.exit_code == 1
        assert f"{broken}:16: paths.sources: folder not found: " in result.output
        assert result.output.endswith("2 problems found.\n")


def test_missing_path_exits_1() -> None:
    result = runner.invoke(app, ["config", "check", "no/such/radar.yaml"])
    assert result.exit_code == 1
    assert "no/such/radar.yaml: file or folder not found  [SR-E104]" in result.output
