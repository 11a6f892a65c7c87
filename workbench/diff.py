"""``smokkelradar keywords diff``: back-test a keyword change before it goes live.

A sample of indexed adverts is re-enriched from its stored text under the baseline (``--against
HEAD`` or a folder) and under the proposal (the working keywords folder); the report lists per
field the adverts that gain or lose tags, the adverts whose relevance crosses an alert
threshold, the saved searches whose matches change, and the change of every figure on the
labelled evaluation set. ``DiffReport.failed`` is true when the evaluation got worse than the
tolerance; the command exits non-zero then.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.evaluation import CORPUS_DIR
from nlp.version import keywords_version
from radar.config.alerts import SavedSearch
from radar.config.keywords import KeywordFile
from workbench.compare import FieldChange, SearchChange, ThresholdChange, field_changes, threshold_changes
from workbench.enriched import enriched_fields, text_of
from workbench.eval_delta import EvalComparison, compare_evaluations, evaluation_figures
from workbench.sample import Stored, fetch_sample
from workbench.searches import search_changes

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch
    from spacy.language import Language

DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class DiffOptions:
    sample: int = 1000  # 0: the evaluation set only
    since: datetime | None = None
    sources: tuple[str, ...] = ()
    seed: int = 7
    tolerance: float = 0.01
    min_support: int = 5
    thresholds: tuple[float, ...] = ()
    examples: int = 3
    corpus: Path = CORPUS_DIR
    evaluate: bool = True


@dataclass
class DiffReport:
    against: str
    baseline_version: str
    proposed_version: str
    adverts: int = 0
    fields: list[FieldChange] = field(default_factory=list)
    thresholds: list[ThresholdChange] = field(default_factory=list)
    searches: list[SearchChange] = field(default_factory=list)
    evaluation: EvalComparison | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.evaluation is not None and self.evaluation.failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "against": self.against,
            "baseline_version": self.baseline_version,
            "proposed_version": self.proposed_version,
            "adverts": self.adverts,
            "fields": [change.as_dict() for change in self.fields],
            "thresholds": [change.as_dict() for change in self.thresholds],
            "searches": [change.as_dict() for change in self.searches],
            "evaluation": self.evaluation.as_dict() if self.evaluation else None,
            "failed": self.failed,
            "seconds": self.seconds,
        }


def _documents(nlp: Language, adverts: Sequence[Stored]) -> list[dict[str, Any]]:
    """Each advert's document with the enrichment-owned fields from ``nlp``."""
    from nlp import enrich_texts  # spaCy: loaded when a back-test runs, not when the web app starts

    records = enrich_texts(nlp, ({"id": a.doc_id, "text": text_of(a.source)} for a in adverts))
    return [
        {**a.source, **enriched_fields(a.source, record)} for a, record in zip(adverts, records, strict=True)
    ]


def alert_thresholds(searches: Mapping[str, SavedSearch], extra: Sequence[float] = ()) -> tuple[float, ...]:
    """The minimum relevance of the enabled saved searches (what decides mail), and ``extra``."""
    found = {search.min_score for search in searches.values() if search.enabled} | set(extra)
    return tuple(sorted(found)) or (DEFAULT_THRESHOLD,)


def run_diff(
    baseline: Sequence[KeywordFile],
    proposed: Sequence[KeywordFile],
    *,
    against: str,
    client: Elasticsearch | None,
    alias: str,
    searches: Mapping[str, SavedSearch],
    options: DiffOptions = DiffOptions(),
    progress: Callable[[str], None] | None = None,
) -> DiffReport:
    """Back-test ``proposed`` against ``baseline``; ``progress`` hears the name of each step as it starts
    (the web page shows it while a long back-test runs)."""
    from nlp import build_pipeline  # spaCy: loaded when a back-test runs, not when the web app starts

    step = progress or (lambda _: None)
    report = DiffReport(against, keywords_version(baseline), keywords_version(proposed))
    clock = time.perf_counter()
    step("build pipelines")
    old_nlp, new_nlp = build_pipeline(list(baseline)), build_pipeline(list(proposed))
    report.seconds["build pipelines"] = round(time.perf_counter() - clock, 2)
    if client is not None and options.sample > 0:
        clock = time.perf_counter()
        step("read sample")
        sample = fetch_sample(
            client, alias, options.sample, since=options.since, sources=options.sources, seed=options.seed
        )
        report.seconds["read sample"] = round(time.perf_counter() - clock, 2)
        clock = time.perf_counter()
        step(f"re-enrich {len(sample)} adverts twice")
        adverts = list(zip(sample, _documents(old_nlp, sample), _documents(new_nlp, sample), strict=True))
        report.seconds["re-enrich sample twice"] = round(time.perf_counter() - clock, 2)
        clock = time.perf_counter()
        step("compare fields, thresholds and saved searches")
        report.adverts = len(adverts)
        report.fields = field_changes(adverts, options.examples)
        report.thresholds = threshold_changes(
            adverts, alert_thresholds(searches, options.thresholds), options.examples
        )
        report.searches = search_changes(client, alias, searches, adverts, options.examples)
        report.seconds["compare"] = round(time.perf_counter() - clock, 2)
    if options.evaluate:
        clock = time.perf_counter()
        step("labelled evaluation set, twice")
        before = evaluation_figures(old_nlp, options.corpus)
        after = evaluation_figures(new_nlp, options.corpus)
        report.evaluation = compare_evaluations(
            before, after, tolerance=options.tolerance, min_support=options.min_support
        )
        report.seconds["evaluation set"] = round(time.perf_counter() - clock, 2)
    return report
