"""The commands end to end on the real node: index, search, pivot, pin, retention, dead letters, migrate."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from corpus_items import corpus_entries, corpus_items
from typer.testing import CliRunner

from indexer.spool import Spool
from indexer.stage import run_index_stage
from radar.cli import app

if TYPE_CHECKING:
    from indexer.templates import IndexNames

pytestmark = pytest.mark.es

RADAR_YAML = """\
elasticsearch:
  url: {url}
  index_prefix: {prefix}
smtp: {{host: 127.0.0.1, port: 2525, tls: none, sender: radar@test.invalid}}
mdt_mailbox: mdt@test.invalid
analysts_mailbox: analysts@test.invalid
user_agent: smokkelradar-tests/0.1
data: {{base: data}}
paths: {{sources: sources, keywords: keywords, alerts: alerts}}
"""


@pytest.fixture
def radar_yaml(tmp_path: Path, es_url: str, names: IndexNames) -> Path:
    for folder in ("sources", "keywords", "alerts"):
        (tmp_path / folder).mkdir()
    path = tmp_path / "radar.yaml"
    path.write_text(RADAR_YAML.format(url=es_url, prefix=names.prefix))
    return path


def spool_items(radar_yaml: Path, items: list[dict[str, Any]]) -> None:
    with Spool(radar_yaml.parent / "data" / "spool" / "spool.sqlite") as spool:
        spool.put_many(items)


def run(*arguments: str) -> Any:
    result = CliRunner().invoke(app, list(arguments), catch_exceptions=False)
    return result


def test_index_search_pivot_pin_retention_from_the_command_line(radar_yaml: Path) -> None:
    config = ["--config", str(radar_yaml)]
    items = corpus_items()
    broken = dict(items[0], id="broken", posted_at="31/12/2026")
    spool_items(radar_yaml, [*items, broken])

    indexed = run("index", *config)
    assert indexed.exit_code == 0, indexed.output
    assert f"indexed {len(items)}, dead letters 1" in indexed.stdout

    letters = run("index", "dead-letters", *config)
    assert "broken" in letters.stdout
    assert "'posted_at' is not an ISO 8601 date" in letters.stdout

    found = run("search", "pasaport", *config, "--lang", "tr", "--json", "--limit", "100")
    assert found.exit_code == 0, found.output
    result = json.loads(found.stdout)
    assert result["total"] > 0
    assert all(hit["language"] == "tr" for hit in result["hits"])
    first = result["hits"][0]
    assert any(first["text"][s:e].lower().startswith("pasaport") for s, e in first["highlights"]["text"])

    table = run("search", *config, "--from", "LY", "--to", "IT", "--csv", "--limit", "500")
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    labelled = [
        e
        for e in corpus_entries()
        if e["labels"]["route"]["origin"] == "LY" and e["labels"]["route"]["destination"] == "IT"
    ]
    assert len(rows) == len(labelled)
    assert {row["origin"] for row in rows} == {"LY"}

    text = run("search", "boat", *config, "--collapse", "--limit", "3")
    assert text.exit_code == 0
    assert "adverts in" in text.stdout
    assert "next page: --cursor" in text.stdout

    pivot = run("pivot", "--phone", "+98 912 338 7415", *config, "--json")
    network = json.loads(pivot.stdout)
    assert network["total"] == sum("+989123387415" in e["labels"]["phones"] for e in corpus_entries())

    advert_id = result["hits"][0]["advert_id"]
    pinned = run("pin", advert_id, "--case", "MDT-2026-7", *config)
    assert f"{advert_id}: pinned to MDT-2026-7" in pinned.stdout

    dry = run("retention", "--dry-run", "--json", *config)
    report = json.loads(dry.stdout)
    assert report["dry_run"] is True
    assert report["deleted_ids"] == []  # the corpus is from this year and kept for 365 days

    migrated = run("index", "migrate", *config)
    assert migrated.exit_code == 0, migrated.output
    assert f"copied {len(items)} adverts" in migrated.stdout

    status = run("index", "status", *config)
    assert f"adverts: {len(items)}" in status.stdout
    assert "-adverts-v2" in status.stdout


def test_bad_requests_are_refused_before_anything_is_sent(radar_yaml: Path) -> None:
    result = run("search", "--config", str(radar_yaml), "--since", "yesterday")
    assert result.exit_code == 2
    assert "--since needs a date" in result.output


def test_the_index_stage_of_the_cycle(radar_yaml: Path) -> None:
    items = corpus_items(("nl",))
    spool_items(radar_yaml, items)

    counts = run_index_stage(radar_yaml)

    assert counts == {"indexed": len(items), "dead": 0, "waiting": 0}
