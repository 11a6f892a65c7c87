"""One cycle of the main job: crawl → enrich → index → alert, with a summary.

``make run`` runs one cycle on the demo configuration; the scheduler runs
the same stages on their own clocks. A stage that is not built yet is
reported as such, so the cycle is useful while the pipeline grows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from radar.logs import get_logger

log = get_logger("cycle")

# A stage takes the path of radar.yaml and returns its counts, e.g. {"crawled": 12}.
StageFunction = Callable[[Path], Mapping[str, int]]


@dataclass(frozen=True)
class Stage:
    name: str
    run: StageFunction | None  # None: not built yet
    counts: tuple[str, ...]  # the counts this stage reports, in summary order


@dataclass
class StageOutcome:
    name: str
    status: str  # "done", "not built yet" or "failed"
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    error: str = ""


def _alert_stage(radar_yaml: Path) -> Mapping[str, int]:
    from alerts.stage import run_alert_stage  # lazy: Elasticsearch and Jinja2 only when the stage runs

    return run_alert_stage(radar_yaml)


def _index_stage(radar_yaml: Path) -> Mapping[str, int]:
    from indexer.stage import run_index_stage  # lazy: Elasticsearch only when the stage runs

    return run_index_stage(radar_yaml)


def _crawl_stage(radar_yaml: Path) -> Mapping[str, int]:
    from crawlers.stage import run_crawl_stage  # Scrapy is heavy: imported when the stage runs

    return run_crawl_stage(radar_yaml)


def pipeline_stages() -> list[Stage]:
    """The stages in order. Each issue that builds a stage wires it in here."""
    return [
        # Enrichment runs inside the crawl, before the spool (crawlers/pipelines/enrich.py), so
        # the crawl stage reports both "crawled" and "enriched".
        Stage("crawl", _crawl_stage, ("crawled", "enriched", "failed sources")),
        Stage("index", _index_stage, ("indexed",)),
        Stage("alerts", _alert_stage, ("alerts sent",)),
    ]


def run_cycle(radar_yaml: Path, stages: list[Stage] | None = None) -> list[StageOutcome]:
    """Run every built stage once; a failing stage is reported, later stages still run.

    Later stages still run because each consumes durable state (the spool,
    the index), not the previous stage's return value: an index failure must
    not stop alerts on what is already indexed.
    """
    outcomes: list[StageOutcome] = []
    for stage in stages if stages is not None else pipeline_stages():
        if stage.run is None:
            outcomes.append(StageOutcome(stage.name, "not built yet"))
            continue
        started = time.monotonic()
        try:
            counts = dict(stage.run(radar_yaml))
        except Exception as error:  # one stage's failure is reported, never fatal to the cycle
            log.exception("stage failed", extra={"stage": stage.name})
            outcomes.append(
                StageOutcome(stage.name, "failed", seconds=time.monotonic() - started, error=str(error))
            )
            continue
        outcomes.append(StageOutcome(stage.name, "done", counts, time.monotonic() - started))
    return outcomes


def summary_lines(outcomes: list[StageOutcome]) -> list[str]:
    """Human-readable summary, one line per stage."""
    lines = []
    for outcome in outcomes:
        if outcome.status == "done":
            counts = ", ".join(f"{key}: {value}" for key, value in outcome.counts.items())
            lines.append(f"  {outcome.name:<7} done in {outcome.seconds:.1f}s  {counts}")
        elif outcome.status == "failed":
            lines.append(f"  {outcome.name:<7} FAILED: {outcome.error}")
        else:
            lines.append(f"  {outcome.name:<7} not built yet")
    return lines
