"""How long the local Elasticsearch node takes to start, and how much memory it holds.

Run: ``.venv/bin/python benchmarks/es_node.py [--repeat 3] [--docs 5000] [--skip-assemble]``

Measures, on free ports with throwaway directories under /tmp (never the developer's node):
  assemble  fetch (Maven, from ~/.m2 when cached) + unpack + plugin build into an empty cache
  cold      first start on an empty data directory (cluster bootstrap, keystore creation)
  warm      start on the existing data directory after a clean stop
  RSS       resident memory of the server JVM just after start and after indexing --docs adverts
Prints the figures; it asserts nothing and is never part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from elasticsearch import Elasticsearch, helpers

from indexer.node import NodeSettings, NodeStatus, launcher
from indexer.node.distribution import ensure_distribution
from indexer.node.proc_info import rss_bytes
from indexer.node.toolchain import find_java

REPO = Path(__file__).resolve().parents[1]
WORDS = [
    "paspoort", "visum", "grens", "route", "Libya", "Italy", "Turkey",
    "Greece", "boat", "truck", "price", "euro", "contact", "telegram",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def mib(value: int | None) -> str:
    return "?" if value is None else f"{value / 2**20:.0f} MiB"


def timed_start(settings: NodeSettings) -> tuple[float, NodeStatus]:
    began = time.perf_counter()
    node = launcher.start(settings, timeout=300)
    return time.perf_counter() - began, node


def adverts(count: int) -> Iterator[dict[str, object]]:
    for number in range(count):
        words = [WORDS[(number * 7 + i * 3) % len(WORDS)] for i in range(40)]
        yield {"_index": "bench-adverts", "_id": str(number), "body": " ".join(words), "price": number % 5000}


def workload(url: str, docs: int) -> float:
    """Bulk-index ``docs`` adverts and run 100 searches; returns the seconds it took."""
    began = time.perf_counter()
    with Elasticsearch(url, request_timeout=120) as client:
        client.indices.create(
            index="bench-adverts",
            mappings={
                "properties": {"body": {"type": "text", "analyzer": "dutch"}, "price": {"type": "integer"}}
            },
        )
        helpers.bulk(client, adverts(docs), chunk_size=1000)
        client.indices.refresh(index="bench-adverts")
        for number in range(100):
            client.search(index="bench-adverts", query={"match": {"body": WORDS[number % len(WORDS)]}})
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="warm starts to time (default 3)")
    parser.add_argument(
        "--docs", type=int, default=5000, help="adverts to index before the second RSS sample"
    )
    parser.add_argument(
        "--skip-assemble", action="store_true", help="do not time assembly into an empty cache"
    )
    options = parser.parse_args()

    java = find_java()
    print(f"machine: {os.cpu_count()} cores, {platform.platform()}; {java.banner}")
    scratch = Path(tempfile.mkdtemp(prefix="smokkelradar-es-bench-"))
    scratch.chmod(0o755)  # the node's unprivileged user must pass through (mkdtemp gives 0700)
    settings = NodeSettings(
        data_dir=scratch / "node",
        http_port=free_port(),
        transport_port=free_port(),
        cache_dir=REPO / ".cache" / "elasticsearch",
    )
    try:
        if not options.skip_assemble:
            began = time.perf_counter()
            ensure_distribution(scratch / "cache", java)
            print(f"assemble (empty cache, zip from ~/.m2): {time.perf_counter() - began:.1f} s")
            shutil.rmtree(scratch / "cache")
        ensure_distribution(settings.cache_dir, java)  # so the timed starts never include a fetch

        cold, node = timed_start(settings)
        print(f"cold start (empty data dir): {cold:.1f} s   RSS {mib(node.rss)}, heap {mib(node.heap_used)}")
        took = workload(settings.url, options.docs)
        rss_after = rss_bytes(node.pid) if node.pid else None
        print(f"indexed {options.docs} adverts + 100 searches in {took:.1f} s   RSS {mib(rss_after)}")

        warm: list[float] = []
        for _ in range(options.repeat):
            began = time.perf_counter()
            launcher.stop(settings)
            stopped = time.perf_counter() - began
            seconds, node = timed_start(settings)
            warm.append(seconds)
            print(f"stop {stopped:.1f} s; warm start (existing data): {seconds:.1f} s   RSS {mib(node.rss)}")
        if warm:
            print(
                f"warm start: median {statistics.median(warm):.1f} s, "
                f"min {min(warm):.1f} s, max {max(warm):.1f} s over {len(warm)} runs"
            )
    finally:
        launcher.stop(settings)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
