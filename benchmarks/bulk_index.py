"""Bulk indexing: the spool and the drain against a raw ``_bulk`` of the same documents.

Run: ``.venv/bin/python benchmarks/bulk_index.py [--count 100000] [--url http://127.0.0.1:9252]``

Generates ``--count`` enriched adverts from the labelled demo corpus (lines of adverts of one
language recombined, numbers varied, about 5 % reposts with a small edit), then measures in
one run, on one node:

  raw       the final documents pre-serialized as NDJSON (500 per request), sent with ``_bulk``
  pipeline  the same adverts put into the spool, then drained by ``smokkelradar index``'s
            Drainer (spool lease/ack, near-duplicate clusters, document building,
            ``streaming_bulk``, cluster statistics written back, final refresh)

and prints docs/s of both and their ratio (target >= 0.8). Without ``--url`` it starts a
throwaway node on free ports under /tmp. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.bulk import Drainer, DrainOptions  # noqa: E402 (after the path set-up)
from indexer.dedup import NearDuplicates, Sighting  # noqa: E402
from indexer.document import advert_document, doc_id, flatten, iso_utc  # noqa: E402
from indexer.spool import Spool  # noqa: E402
from indexer.templates import IndexNames, ensure_adverts_index  # noqa: E402
from tests.integration.indexer.corpus_items import corpus_entries, enriched_item  # noqa: E402

CHUNK = 500
SOURCES = ["demo-telegram", "demo-forum", "demo-feed", "boza-express", "docs-vip", "classifieds-ar"]


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


def raw_bodies(items: list[dict[str, Any]], index: str, state: Path) -> list[bytes]:
    """The documents the drain would send, serialized once, 500 per ``_bulk`` body."""
    store = NearDuplicates(state / "raw-nd.sqlite", 0.8)
    lines: list[str] = []
    for start in range(0, len(items), CHUNK):
        part = [flatten(item) for item in items[start : start + CHUNK]]
        sightings = [
            Sighting(
                f["id"],
                doc_id(f["id"]),
                f["source"],
                f["text"],
                iso_utc(f["posted_at"], "p"),
                iso_utc(f["fetched_at"], "f"),
            )
            for f in part
        ]
        placed = store.assign(sightings)
        stats = store.stats(p.cluster_id for p in placed.values())
        for flat in part:
            where = placed[flat["id"]]
            document = advert_document(
                flat, cluster=stats[where.cluster_id], first_seen=where.first_seen, last_seen=where.last_seen
            )
            lines.append(json.dumps({"index": {"_index": index, "_id": doc_id(flat["id"])}}))
            lines.append(json.dumps(document, ensure_ascii=False, separators=(",", ":")))
    store.close()
    per_body = 2 * CHUNK
    return [("\n".join(lines[i : i + per_body]) + "\n").encode() for i in range(0, len(lines), per_body)]


def send_raw(client: Elasticsearch, bodies: list[bytes], index: str) -> float:
    began = time.perf_counter()
    for body in bodies:
        response = client.bulk(operations=body)
        if response["errors"]:
            raise SystemExit(f"raw bulk reported errors: {json.dumps(response.body)[:500]}")
    client.indices.refresh(index=index)
    return time.perf_counter() - began


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--url", help="an Elasticsearch on 127.0.0.1 to use instead of a throwaway node")
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="smokkelradar-bench-state-"))
    began = time.perf_counter()
    items = list(generate_items(arguments.count))
    print(f"generated {len(items)} adverts in {time.perf_counter() - began:.1f} s")
    raw_names, pipe_names, warm_names = (
        IndexNames("bench-raw"),
        IndexNames("bench-pipe"),
        IndexNames("bench-warm"),
    )
    bodies = raw_bodies(items, raw_names.alias, work)
    size = sum(len(body) for body in bodies)
    print(
        f"serialized {len(bodies)} bulk bodies, {size / 2**20:.0f} MiB ({size / len(items):.0f} bytes/advert)"
    )
    with node_url(arguments.url) as url, Elasticsearch(url, request_timeout=120) as client:
        for names in (raw_names, pipe_names, warm_names):
            drop(client, names)
            ensure_adverts_index(client, names)
        # Warm the JVM up on a scratch index first, so neither measured run pays for it.
        warm = [body.replace(raw_names.alias.encode(), warm_names.alias.encode()) for body in bodies[:20]]
        send_raw(client, warm, warm_names.alias)
        drop(client, warm_names)

        raw_s = send_raw(client, bodies, raw_names.alias)
        raw_rate = len(items) / raw_s

        spool = Spool(work / "spool.sqlite")
        store = NearDuplicates(work / "nd.sqlite", 0.8)
        began = time.perf_counter()
        for start in range(0, len(items), 1000):
            spool.put_many(items[start : start + 1000])
        put_s = time.perf_counter() - began
        began = time.perf_counter()
        report = Drainer(client, pipe_names.alias, spool, store, options=DrainOptions()).run()
        drain_s = time.perf_counter() - began
        drain_rate = report.indexed / drain_s
        counts = [client.count(index=n.alias)["count"] for n in (raw_names, pipe_names)]
        stats = client.indices.stats(index=pipe_names.alias, metric="store")["_all"]["primaries"]["store"]
        print(f"load average (1 min) after the runs: {os.getloadavg()[0]:.2f}; cores: {os.cpu_count()}")
        print(
            f"raw _bulk (pre-serialized NDJSON)  {raw_s:7.1f} s  {raw_rate:8.0f} docs/s  ({counts[0]} docs)"
        )
        print(f"spool put                          {put_s:7.1f} s  {len(items) / put_s:8.0f} docs/s")
        print(
            f"drain (spool -> Elasticsearch)     {drain_s:7.1f} s  {drain_rate:8.0f} docs/s  "
            f"({counts[1]} docs, {report.dead} dead, {report.cluster_updates} cluster updates)"
        )
        print(f"ratio drain / raw                  {drain_rate / raw_rate:.2f}  (target >= 0.8)")
        print(f"ratio put+drain / raw              {len(items) / (put_s + drain_s) / raw_rate:.2f}")
        print(f"index size per advert              {stats['size_in_bytes'] / counts[1]:.0f} bytes")
        spool.close()
        store.close()
        for names in (raw_names, pipe_names):
            drop(client, names)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
