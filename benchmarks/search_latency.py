"""Search latency for officers' queries on a large index, and index size per advert.

Run: ``.venv/bin/python benchmarks/search_latency.py [--count 1000000] [--url http://127.0.0.1:9252]
[--repeat 5] [--keep | --reuse]``

Generates ``--count`` adverts from the demo corpus vocabulary (``bulk_index.generate_items``),
builds their documents as the drain does (near-duplicate clusters included) and bulk-indexes
them, then runs 20 representative officer queries through ``indexer.search.search`` — each
with facets and highlighting, as the web UI asks — and prints p50/p95 latency (client-side,
the whole call: request, Elasticsearch, answer parsed into a ``SearchResult``) and the index
size per advert. Target: p95 <= 150 ms. Two passes in the same run, each ``--repeat`` rounds
of the 20 queries after one warm-up round:

  cold   Elasticsearch's shard request cache is cleared before every search (the clearing is
         not timed), so every search counts and aggregates all its matches: a new search.
  warm   the cache kept: a search asked before, or the next page of one (the summary part of a
         search, total and facets, is the same for every page and comes from the cache).

``--single`` adds a third pass, first: each search as one ``_search`` asking for hits, exact
count and facets together (as ``indexer.search`` did before it split the request), cold.

Without ``--url`` it starts a throwaway node under /tmp. ``--keep`` leaves the index for
another run; ``--reuse`` skips indexing and searches the index kept by an earlier run, and
keeps it (after putting the current templates and the mapping changes an existing index
takes in place).
Prints the 1-minute load average before and after. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bulk_index import drop, generate_items, node_url

from indexer.client import json_serializer
from indexer.dedup import NearDuplicates
from indexer.prepare import prepare
from indexer.query import SearchRequest, hits_body, summary_body
from indexer.search import SearchResult, parse_response, search
from indexer.spool import SpoolEntry
from indexer.templates import IndexNames, ensure_adverts_index

QUERIES: list[tuple[str, SearchRequest]] = [
    ("Arabic passport", SearchRequest(query="جواز سفر")),
    ("Arabic boat from Libya", SearchRequest(query="قارب", origin=("LY",))),
    ("Persian passport, fa only", SearchRequest(query="پاسپورت", lang=("fa",))),
    ("Turkish stem", SearchRequest(query="pasaport")),
    (
        "boat to Italy since October",
        SearchRequest(query="boat", destination=("IT",), since=date(2026, 10, 1)),
    ),
    ("facets only: Libya to Italy", SearchRequest(origin=("LY",), destination=("IT",))),
    ("schengen visa", SearchRequest(query="schengen visa")),
    ("French accents", SearchRequest(query="réfugiés")),
    ("Dutch", SearchRequest(query="paspoort")),
    ("price 1000-3000 by boat", SearchRequest(price_min=1000, price_max=3000, transport=("boat",))),
    ("passports newest first", SearchRequest(document=("passport",), sort="date")),
    ("Lampedusa collapsed", SearchRequest(query="Lampedusa", collapse=True)),
    ("Istanbul", SearchRequest(query="İstanbul")),
    ("phone", SearchRequest(phone="+98 912 338 7415")),
    ("national phone suffix", SearchRequest(phone="0912 338 7415")),
    ("truck or lorry to Britain", SearchRequest(query="truck | lorry", destination=("GB",))),
    ("phrase", SearchRequest(query='"half now"')),
    ("Greek", SearchRequest(query="διαβατήριο")),
    ("dunki", SearchRequest(query="dunki | game")),
    ("Arabic boats collapsed", SearchRequest(lang=("ar",), transport=("boat",), collapse=True)),
]


def index_adverts(client: Elasticsearch, names: IndexNames, count: int, work: Path) -> float:
    store = NearDuplicates(work / "nd.sqlite", 0.8)
    began = time.perf_counter()
    batch: list[SpoolEntry] = []

    def actions() -> Iterator[dict[str, Any]]:
        nonlocal batch
        for number, item in enumerate(generate_items(count), start=1):
            batch.append(SpoolEntry(item["id"], number, item, 0))
            if len(batch) == 2000 or number == count:
                for _, document_id, document in prepare(batch, store, None).documents:
                    yield {"_index": names.alias, "_id": document_id, "_source": document}
                batch = []
                if number % 100_000 == 0:
                    print(f"  {number} adverts, {number / (time.perf_counter() - began):.0f}/s", flush=True)

    for ok, info in streaming_bulk(client, actions(), chunk_size=1000, max_retries=5, raise_on_error=False):
        if not ok:
            raise SystemExit(f"indexing failed: {info}")
    store.close()
    client.indices.refresh(index=names.alias)
    return time.perf_counter() - began


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def single_search(client: Elasticsearch, alias: str, request: SearchRequest) -> SearchResult:
    """The search as one ``_search`` (how ``indexer.search`` asked before it split the request)."""
    body = {**hits_body(request), "track_total_hits": True}
    aggs = summary_body(request).get("aggs")
    if aggs:
        body["aggs"] = aggs
    response = client.search(index=alias, **body).body
    return parse_response(request, response, response)


def timed_pass(
    client: Elasticsearch, alias: str, repeat: int, *, cold: bool, single: bool = False
) -> list[float]:
    """``repeat`` timed rounds of the queries after a warm-up round; per-query lines printed."""
    timings: dict[str, list[float]] = {label: [] for label, _ in QUERIES}
    totals: dict[str, int] = {}
    for round_number in range(repeat + 1):
        for label, request in QUERIES:
            if cold:
                client.indices.clear_cache(index=alias, request=True)
            began = time.perf_counter()
            result = (single_search if single else search)(client, alias, request)
            elapsed = (time.perf_counter() - began) * 1000
            if round_number:  # round 0 warms the JVM and the file system cache up
                timings[label].append(elapsed)
            totals[label] = result.total
    for label, values in timings.items():
        median, worst = statistics.median(values), max(values)
        print(f"  {label:<32} {totals[label]:>8} hits  p50 {median:6.1f} ms  max {worst:6.1f} ms")
    return [value for values in timings.values() for value in values]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--url", help="an Elasticsearch on 127.0.0.1 to use instead of a throwaway node")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the index afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="search an index kept by an earlier run (and keep it)"
    )
    parser.add_argument(
        "--single",
        action="store_true",
        help="also time the searches as one _search each (hits, count and facets together), cold",
    )
    arguments = parser.parse_args()
    names = IndexNames("bench-search")
    work = Path(tempfile.mkdtemp(prefix="smokkelradar-bench-search-"))
    print(f"load average at the start: {os.getloadavg()[0]:.1f}")
    # The client as the CLI and the web app make it (indexer.client: orjson).
    with (
        node_url(arguments.url) as url,
        Elasticsearch(url, request_timeout=300, serializer=json_serializer()) as client,
    ):
        if not arguments.reuse:
            drop(client, names)
            ensure_adverts_index(client, names)
            seconds = index_adverts(client, names, arguments.count, work)
            print(f"indexed {arguments.count} adverts in {seconds:.0f} s")
        else:
            ensure_adverts_index(client, names)  # templates, and mapping changes taken in place
        count = int(client.count(index=names.alias)["count"])
        store = client.indices.stats(index=names.alias, metric="store")["_all"]["primaries"]["store"]
        size = store["size_in_bytes"]
        print(f"{count} adverts, {size / 2**20:.0f} MiB: {size / count:.0f} bytes/advert")
        for kind in ("single, cold", "cold", "warm") if arguments.single else ("cold", "warm"):
            print(f"{kind} (load average {os.getloadavg()[0]:.1f}):")
            every = timed_pass(
                client, names.alias, arguments.repeat, cold=kind != "warm", single=kind.startswith("single")
            )
            p50, p95 = percentile(every, 0.5), percentile(every, 0.95)
            print(
                f"{kind}: all {len(every)} searches: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
                f"(target p95 <= 150 ms)   load average {os.getloadavg()[0]:.1f}"
            )
        if not (arguments.keep or arguments.reuse):  # an index kept for others is never dropped
            drop(client, names)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
