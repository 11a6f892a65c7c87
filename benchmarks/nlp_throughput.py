"""Throughput and memory of the enrichment pipeline (issue 4's benchmark).

10,000 adverts of about 40 words are assembled from the labelled corpus (lines of adverts of
one language, shuffled with a fixed seed, so prices, phones, places and emoji keep their real
shapes), then on one core:

* adverts/s of the full pipeline (``nlp.pipe``) and of ``enrich_texts`` (records included),
* adverts/s of spaCy's tokenizer alone on the same texts,
* each component's share of the pipeline time,
* peak resident memory of the process.

Throughput is measured in CPU seconds of this process (``time.process_time``), so other work on
a shared machine does not count against it; wall-clock figures are printed beside them.

Run: ``.venv/bin/python benchmarks/nlp_throughput.py [--adverts N] [--json]``. Prints figures;
never part of the pass/fail suite. Targets: >= 1,000 adverts/s, <= 600 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp import build_pipeline, enrich_texts  # noqa: E402  (after the path set-up above)
from nlp.evaluation import advert_text, load_corpus  # noqa: E402

WORDS_PER_ADVERT = 40
# Component shares are measured stage by stage, holding every Doc between stages: on a sample,
# so that holding them does not inflate the peak memory reported for streaming.
_SHARE_SAMPLE = 2000


def synthetic_adverts(count: int, seed: int = 4) -> list[str]:
    """``count`` adverts of about 40 words, each made of lines of corpus adverts of one language."""
    rng = random.Random(seed)
    lines_by_language: dict[str, list[str]] = {}
    for entry in load_corpus():
        lines = [line.strip() for line in advert_text(entry).splitlines() if line.strip()]
        lines_by_language.setdefault(entry["lang"], []).extend(lines)
    languages = sorted(lines_by_language)
    adverts = []
    for _ in range(count):
        pool = lines_by_language[rng.choice(languages)]
        chosen: list[str] = []
        words = 0
        while words < WORDS_PER_ADVERT:
            line = rng.choice(pool)
            chosen.append(line)
            words += len(line.split())
        adverts.append("\n".join(chosen))
    return adverts


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def measure(count: int) -> dict[str, Any]:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    texts = synthetic_adverts(count)
    words = sum(len(t.split()) for t in texts) / len(texts)
    started = time.perf_counter()
    nlp = build_pipeline()
    build_seconds = time.perf_counter() - started
    # Warm-up: the per-word caches of the matchers, the folding table and langdetect's profiles fill
    # on first use; a crawler runs for hours, so the steady state is what counts.
    _drain(nlp.pipe(texts[:2000], batch_size=256))

    tokenizer_seconds, tokenizer_wall = _timed(lambda: _drain(nlp.tokenizer.pipe(texts, batch_size=256)))
    pipe_seconds, pipe_wall = _timed(lambda: _drain(nlp.pipe(texts, batch_size=256)))
    enrich_seconds, enrich_wall = _timed(
        lambda: _drain(enrich_texts(nlp, ({"id": i, "text": t} for i, t in enumerate(texts))))
    )
    peak_during_runs = peak_rss_mb()

    shares = component_times(nlp, texts[:_SHARE_SAMPLE])
    total = sum(shares.values())
    return {
        "adverts": count,
        "mean_words": round(words, 1),
        "build_seconds": round(build_seconds, 2),
        "pipeline_adverts_per_s": round(count / pipe_seconds),
        "pipeline_adverts_per_wall_s": round(count / pipe_wall),
        "enrich_texts_adverts_per_s": round(count / enrich_seconds),
        "enrich_texts_adverts_per_wall_s": round(count / enrich_wall),
        "tokenizer_adverts_per_s": round(count / tokenizer_seconds),
        "tokenizer_adverts_per_wall_s": round(count / tokenizer_wall),
        "component_share": {name: round(seconds / total, 3) for name, seconds in shares.items()},
        "peak_rss_mb": round(peak_during_runs),
    }


def _drain(items: Any) -> None:
    """Consume an iterator without keeping what it yields (as a streaming crawler would)."""
    for _ in items:
        pass


def _timed(work: Any) -> tuple[float, float]:
    """CPU seconds and wall seconds of ``work()``."""
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.process_time() - cpu, time.perf_counter() - wall


def component_times(nlp: Any, texts: list[str]) -> dict[str, float]:
    """Seconds spent in the tokenizer and in each component, run stage by stage over all texts."""
    times: dict[str, float] = {}
    started = time.process_time()
    docs = [nlp.make_doc(text) for text in texts]
    times["tokenizer"] = time.process_time() - started
    for name, component in nlp.pipeline:
        started = time.process_time()
        docs = [component(doc) for doc in docs]
        times[name.removeprefix("smokkelradar_")] = time.process_time() - started
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adverts", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = measure(args.adverts)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"adverts: {figures['adverts']} of {figures['mean_words']} words on average, one core")
    print(f"pipeline build: {figures['build_seconds']} s (once per process)")
    print("adverts per CPU second (per wall-clock second):")
    rows = (
        ("full pipeline (nlp.pipe)", "pipeline"),
        ("enrich_texts (with records)", "enrich_texts"),
        ("spaCy tokenizer alone", "tokenizer"),
    )
    for label, key in rows:
        print(f"  {label:<28} {figures[key + '_adverts_per_s']:>7} ({figures[key + '_adverts_per_wall_s']})")
    print(f"share of time per component (first {_SHARE_SAMPLE} adverts, stage by stage):")
    for name, share in figures["component_share"].items():
        print(f"  {name:<12} {share:6.1%}")
    print(f"peak RSS: {figures['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
