"""The cycle runs built stages, reports unbuilt ones, and survives a failing stage."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from radar.cycle import Stage, pipeline_stages, run_cycle, summary_lines


def _boom(_: Path) -> Mapping[str, int]:
    raise RuntimeError("Elasticsearch is down")


def test_failing_stage_is_reported_and_later_stages_still_run() -> None:
    stages = [
        Stage("crawl", lambda _: {"crawled": 3}, ("crawled",)),
        Stage("index", _boom, ("indexed",)),
        Stage("alerts", lambda _: {"alerts sent": 1}, ("alerts sent",)),
        Stage("later", None, ()),
    ]
    outcomes = run_cycle(Path("config/demo/radar.yaml"), stages)
    assert [o.status for o in outcomes] == ["done", "failed", "done", "not built yet"]
    assert outcomes[0].counts == {"crawled": 3}
    assert outcomes[1].error == "Elasticsearch is down"
    lines = summary_lines(outcomes)
    assert "crawled: 3" in lines[0]
    assert "FAILED: Elasticsearch is down" in lines[1]
    assert lines[3].strip() == "later   not built yet"


def test_pipeline_has_every_stage_in_order_and_all_are_built() -> None:
    stages = pipeline_stages()
    assert [stage.name for stage in stages] == ["crawl", "index", "alerts"]
    assert all(stage.run is not None for stage in stages)
