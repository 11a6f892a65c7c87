"""Bulk indexing: the spool and the drain against a raw ``_bulk`` of the same documents.

Run: ``.venv/bin/python benchmarks/bulk_index.py [--count 100000] [--rounds 3] [--url http://127.0.0.1:9252]``

Generates ``--count`` enriched adverts from the labelled demo corpus (lines of adverts of one
language recombined, numbers varied, about 5 % reposts with a small edit), then measures, on
one node, in ``--rounds`` rounds whose order alternates (raw first, then pipeline first, ...),
each into fresh indices built from the same template:

  raw       the final documents pre-serialized as NDJSON, as many per request as the drain
            sends (``DrainOptions.chunk_size``), sent with ``_bulk`` one request at a time,
            asking for the same short answer as the drain, then a refresh
  put       the same adverts put into a fresh spool, 1,000 per ``put_many``, as the crawler does
            (this includes staging: MinHash signatures and document bodies, ``indexer.staging``)
  drain     ``smokkelradar index``'s Drainer: spool lease/ack, near-duplicate clusters,
            document building, ``streaming_bulk`` (one request at a time too), cluster
            statistics written back, final refresh

For each run it prints wall time, docs/s, the CPU seconds this process spent (all threads)
and the CPU seconds the Elasticsearch node spent (``_nodes/stats``), and the load average;
then per round the ratios drain / raw and (put + drain) / raw, and their median and spread
(target >= 0.8). The machine is shared: the load average moves the raw figure by a factor
of two between runs, which is why raw and drain run side by side in every round.

Without ``--url`` it starts a throwaway node on free ports under /tmp. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.bulk import BULK_FILTER, Drainer, DrainOptions  # noqa: E402 (after the path set-up)
from indexer.client import json_serializer  # noqa: E402
from indexer.dedup import NearDuplicates  # noqa: E402
from indexer.prepare import prepare  # noqa: E402
from indexer.serialize import dumps  # noqa: E402
from indexer.spool import Spool, SpoolEntry  # noqa: E402
from indexer.templates import IndexNames, ensure_adverts_index  # noqa: E402
from tests.integration.indexer.corpus_items import corpus_entries, enriched_item  # noqa: E402

SOURCES = ["demo-telegram", "demo-forum", "demo-feed", "boza-express", "docs-vip", "classifieds-ar"]
PUT_PER_CALL = 1000


def generate_items(count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """Adverts from the corpus vocabulary: 2-5 lines of same-language adverts, numbers varied."""
    rng = random.Random(seed)
    entries = list(corpus_entries())
    lines: dict[str, list[str]] = {}
    for entry in entries:
        lines.setdefault(entry["lang"], []).extend(x for x in entry["text"].splitlines() if x.strip())
    recent: list[dict[str, Any]] = []
    for number in range(count):
        if recent and rng.random() < 0.05:  # a repost of a recent advert with a small edit
            base = dict(rng.choice(recent))
            base["text"] = base["text"] + rng.choice([" 🔥", " ✅", " !!", " 📞"])
        else:
            base = dict(rng.choice(entries))
            pool = lines[base["lang"]]
            picked = [rng.choice(pool) for _ in range(rng.randint(2, 5))]
            text = "\n".join(picked)
            base["text"] = "".join(str(rng.randint(0, 9)) if c.isdigit() else c for c in text)
        base["id"] = f"bench-{number}"
        day = rng.randint(0, 119)
        base["posted"] = f"2026-{8 + day // 30:02d}-{1 + day % 28:02d}T{rng.randint(0, 23):02d}:00:00+00:00"
        recent = ([*recent, base])[-200:]
        yield enriched_item(base, source=rng.choice(SOURCES), advert_id=base["id"])


def raw_bodies(items: list[dict[str, Any]], index: str, state: Path, chunk: int) -> list[bytes]:
    """The documents the drain sends (built by the same code), serialized once, ``chunk`` per body."""
    store = NearDuplicates(state / "raw-nd.sqlite", 0.8)
    lines: list[bytes] = []
    for start in range(0, len(items), 2000):
        entries = [SpoolEntry(item["id"], n, item, 0) for n, item in enumerate(items[start : start + 2000])]
        for _, document_id, document in prepare(entries, store, None).documents:
            lines.append(dumps({"index": {"_index": index, "_id": document_id}}))
            lines.append(dumps(document))
    store.close()
    per_body = 2 * chunk
    return [b"\n".join(lines[i : i + per_body]) + b"\n" for i in range(0, len(lines), per_body)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def node_url(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    from indexer.node import NodeSettings, launcher

    data_dir = Path(tempfile.mkdtemp(prefix="smokkelradar-bench-"))
    data_dir.chmod(0o755)  # the node's unprivileged user must pass through (mkdtemp gives 0700)
    settings = NodeSettings(
        data_dir=data_dir,
        http_port=free_port(),
        transport_port=free_port(),
        cache_dir=REPO / ".cache" / "elasticsearch",
    )
    try:
        yield launcher.start(settings, timeout=300).url
    finally:
        launcher.stop(settings)
        shutil.rmtree(data_dir, ignore_errors=True)


def drop(client: Elasticsearch, names: IndexNames) -> None:
    for index in client.indices.get(index=f"{names.prefix}-*", ignore_unavailable=True):
        client.indices.delete(index=index)
    client.options(ignore_status=404).indices.delete_index_template(name=names.template)
    client.options(ignore_status=404).cluster.delete_component_template(name=names.fields_component)


@dataclass
class Run:
    """One measured run: wall seconds, CPU seconds of this process and of the node, load average."""

    wall: float
    cpu: float
    node_cpu: float
    load: float


def node_cpu_seconds(client: Elasticsearch) -> float:
    stats = client.nodes.stats(metric="process", filter_path="nodes.*.process.cpu.total_in_millis")
    return sum(node["process"]["cpu"]["total_in_millis"] for node in stats["nodes"].values()) / 1000


def measured(client: Elasticsearch, work: Callable[[], object]) -> Run:
    node_before, cpu_before = node_cpu_seconds(client), time.process_time()
    began = time.perf_counter()
    work()
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu_before
    return Run(wall, cpu, node_cpu_seconds(client) - node_before, os.getloadavg()[0])


def send_raw(client: Elasticsearch, bodies: list[bytes], index: str) -> None:
    for body in bodies:
        # The same answer as the drain asks for (its BULK_FILTER), plus the overall error flag.
        response = client.bulk(operations=body, filter_path=f"errors,{BULK_FILTER}")
        if response["errors"]:
            raise SystemExit(f"raw bulk reported errors: {str(response.body)[:500]}")
    client.indices.refresh(index=index)


def raw_round(client: Elasticsearch, bodies: list[bytes], names: IndexNames) -> Run:
    drop(client, names)
    ensure_adverts_index(client, names)
    run = measured(client, lambda: send_raw(client, bodies, names.alias))
    count = client.count(index=names.alias)["count"]
    drop(client, names)
    if count != sum(body.count(b"\n") for body in bodies) // 2:
        raise SystemExit(f"raw run indexed {count} documents")
    return run


def pipeline_round(
    client: Elasticsearch, items: list[dict[str, Any]], names: IndexNames, work: Path, options: DrainOptions
) -> tuple[Run, Run, int]:
    drop(client, names)
    ensure_adverts_index(client, names)
    shutil.rmtree(work, ignore_errors=True)
    spool = Spool(work / "spool.sqlite")
    store = NearDuplicates(work / "nd.sqlite", 0.8)

    def put() -> None:
        for start in range(0, len(items), PUT_PER_CALL):
            spool.put_many(items[start : start + PUT_PER_CALL])

    put_run = measured(client, put)
    reports = []
    drain_run = measured(
        client, lambda: reports.append(Drainer(client, names.alias, spool, store, options=options).run())
    )
    (report,) = reports
    count = client.count(index=names.alias)["count"]
    spool.close()
    store.close()
    drop(client, names)
    if count != len(items) or report.indexed != len(items) or report.dead:
        raise SystemExit(f"drain indexed {report.indexed} ({count} in the index), {report.dead} dead")
    return put_run, drain_run, report.cluster_updates


def line(label: str, run: Run, count: int) -> str:
    return (
        f"  {label:<7} {run.wall:7.1f} s {count / run.wall:8.0f} docs/s   "
        f"CPU: this process {run.cpu * 1e3 / count:5.3f} ms/doc, "
        f"node {run.node_cpu * 1e3 / count:5.3f} ms/doc"
        f"   load {run.load:4.1f}"
    )


def spread(label: str, values: list[float]) -> str:
    return (
        f"{label:<26} median {statistics.median(values):.2f}  (min {min(values):.2f}, max {max(values):.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", help="an Elasticsearch on 127.0.0.1 to use instead of a throwaway node")
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=DrainOptions.chunk_size,
        help="documents per _bulk request, both paths",
    )
    parser.add_argument(
        "--batch-size", type=int, default=DrainOptions.batch_size, help="entries the drain leases"
    )
    arguments = parser.parse_args()
    options = DrainOptions(chunk_size=arguments.chunk_size, batch_size=arguments.batch_size)
    scratch = Path(tempfile.mkdtemp(prefix="smokkelradar-bench-state-"))
    began = time.perf_counter()
    items = list(generate_items(arguments.count))
    raw_names, pipe_names, warm_names = (
        IndexNames("bench-raw"),
        IndexNames("bench-pipe"),
        IndexNames("bench-warm"),
    )
    bodies = raw_bodies(items, raw_names.alias, scratch, options.chunk_size)
    size = sum(len(body) for body in bodies)
    print(
        f"{len(items)} adverts generated and serialized in {time.perf_counter() - began:.1f} s: "
        f"{len(bodies)} bulk bodies of {options.chunk_size}, {size / 2**20:.0f} MiB "
        f"({size / len(items):.0f} bytes/advert as sent); {os.cpu_count()} cores"
    )
    # The generated adverts stay in memory for every round; frozen, the garbage collector never
    # walks them, so the drain pays for its own objects only, as in `smokkelradar index`.
    gc.collect()
    gc.freeze()
    drain_ratios: list[float] = []
    full_ratios: list[float] = []
    # The client as `smokkelradar index` makes it (indexer.client), for both paths.
    with (
        node_url(arguments.url) as url,
        Elasticsearch(url, request_timeout=120, serializer=json_serializer()) as client,
    ):
        # Warm the JVM up on a scratch index first, so neither measured run pays for it.
        warm = [body.replace(raw_names.alias.encode(), warm_names.alias.encode()) for body in bodies[:40]]
        raw_round(client, warm, warm_names)
        for number in range(arguments.rounds):
            runs: dict[str, Run] = {}
            order = ("raw", "pipeline") if number % 2 == 0 else ("pipeline", "raw")
            for which in order:
                if which == "raw":
                    runs["raw"] = raw_round(client, bodies, raw_names)
                else:
                    runs["put"], runs["drain"], updates = pipeline_round(
                        client, items, pipe_names, scratch / "pipeline", options
                    )
            print(f"round {number + 1} ({' first, '.join(order)} second; {updates} cluster updates):")
            for label in ("raw", "put", "drain"):
                print(line(label, runs[label], len(items)))
            drain_ratios.append(runs["raw"].wall / runs["drain"].wall)
            full_ratios.append(runs["raw"].wall / (runs["put"].wall + runs["drain"].wall))
            print(f"  ratio drain / raw {drain_ratios[-1]:.2f}, (put + drain) / raw {full_ratios[-1]:.2f}")
    print(spread("drain / raw", drain_ratios) + "   (target >= 0.8)")
    print(spread("(put + drain) / raw", full_ratios))
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
