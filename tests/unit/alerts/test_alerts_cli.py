"""``smokkelradar alerts list`` and ``alerts check`` on a configuration in tmp_path."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from radar.cli import app


def _config(tmp_path: Path, searches: str) -> Path:
    for sub in ("sources", "keywords", "alerts"):
        (tmp_path / sub).mkdir(parents=True)
    (tmp_path / "radar.yaml").write_text(
        "elasticsearch: {url: 'http://127.0.0.1:9'}\n"
        "smtp: {host: 127.0.0.1, port: 25, tls: none, sender: r@t.invalid}\n"
        "mdt_mailbox: mdt@t.invalid\nanalysts_mailbox: a@t.invalid\nuser_agent: test-agent/1\n"
        "data: {base: data}\n"
    )
    (tmp_path / "alerts" / "a.yaml").write_text(searches)
    return tmp_path / "radar.yaml"


SEARCHES = """searches:
  - name: sea
    filters: {transport: boat, from: LY}
    cadence: daily at 07:30
  - name: docs
    query: 'paspoort OR passport'
    filters: {document: passport}
    cadence: immediate
    delivery: per_advert
    language: en
    recipients: [desk@t.invalid]
"""


def test_list_shows_every_search(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["alerts", "list", "-c", str(_config(tmp_path, SEARCHES))])
    assert result.exit_code == 0, result.output
    assert "sea\n    daily at 07:30, digest, mail in nl, min score 0.5, queued 0" in result.output
    assert "to desk@t.invalid" in result.output and "to mdt@t.invalid" in result.output
    assert "2 saved search(es)" in result.output


def test_check_passes_valid_searches_and_names_the_line_of_a_bad_one(tmp_path: Path) -> None:
    good = CliRunner().invoke(
        app, ["alerts", "check", "--offline", "-c", str(_config(tmp_path / "a", SEARCHES))]
    )
    assert good.exit_code == 0, good.output
    assert "2 saved search(es), 0 problem(s)" in good.output

    broken = SEARCHES.replace("cadence: daily at 07:30", "cadence: every morning")
    bad = CliRunner().invoke(
        app, ["alerts", "check", "--offline", "-c", str(_config(tmp_path / "b", broken))]
    )
    assert bad.exit_code == 1
    assert "alerts/a.yaml:4: searches[0].cadence:" in bad.output
