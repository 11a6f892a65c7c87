"""Speed of the analysts' workbench (issue 8's benchmark): ``keywords diff`` and ``reenrich``.

Against a real Elasticsearch node (``--es-url``, 127.0.0.1 only), in indices with the prefix
``bench-workbench-<random>`` that are removed afterwards:

1. ``--index`` adverts (default 100,000) of about 40 words, assembled from lines of the labelled
   corpus (``benchmarks.nlp_throughput.synthetic_adverts``), are enriched with the shipped keywords
   (as the crawler does) and indexed with the indexer's own document builder and ``streaming_bulk``
   (``--raw``: indexed without enrichment, the worst case for ``reenrich``: every advert changes and
   every match is a back-fill);
2. ``keywords diff``: a random sample of ``--sample`` adverts (default 10,000) re-enriched under
   the shipped keywords and under the shipped keywords plus one term, compared per field, per
   alert threshold and per saved search, plus the labelled evaluation set under both
   (``workbench.diff.run_diff``, exactly what the command runs). Target: under 60 s.
3. ``reenrich`` of every indexed advert after that change (the one-term proposal goes live), with
   back-fill matching on (two saved searches), in pages of 500 under the writer lock
   (``workbench.reenrich.run.Reenricher``).

Prints wall time and adverts/s as JSON. Run:
``.venv/bin/python benchmarks/workbench.py --es-url http://127.0.0.1:9256 [--index N] [--sample N]``.
Never part of the pass/fail suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.nlp_throughput import synthetic_adverts  # noqa: E402  (after the path set-up above)
from indexer.document import ClusterInfo, advert_document, doc_id  # noqa: E402
from indexer.settings import IndexerSettings  # noqa: E402
from indexer.templates import ensure_adverts_index  # noqa: E402
from radar.config.loader import load_config  # noqa: E402
from workbench.diff import DiffOptions, run_diff  # noqa: E402
from workbench.keyword_sets import SHIPPED_KEYWORDS, load_files  # noqa: E402
from workbench.reenrich.run import Reenricher, ReenrichOptions  # noqa: E402

SEARCHES = """searches:
  - name: boats
    filters: {transport: boat}
    min_score: 0.5
    cadence: immediate
  - name: passports
    query: passport
    filters: {document: passport}
    min_score: 0.6
    cadence: daily at 07:30
"""


def write_config(folder: Path, es_url: str, prefix: str) -> Path:
    for sub in ("sources", "alerts"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    shutil.copytree(SHIPPED_KEYWORDS, folder / "keywords")
    (folder / "sources" / "bench.yaml").write_text(
        "sources:\n  - name: bench\n    kind: feed\n    feed_url: http://127.0.0.1:9/feed.xml\n"
    )
    (folder / "alerts" / "searches.yaml").write_text(SEARCHES)
    (folder / "radar.yaml").write_text(
        f"elasticsearch:\n  url: {es_url}\n  index_prefix: {prefix}\n"
        "smtp:\n  host: 127.0.0.1\n  port: 9\n  tls: none\n  sender: bench@test.invalid\n"
        "mdt_mailbox: mdt@test.invalid\nanalysts_mailbox: analysts@test.invalid\n"
        "user_agent: smokkelradar-benchmark/0.1\ndata:\n  base: data\n"
    )
    return folder / "radar.yaml"


def index_adverts(client: Any, alias: str, count: int, *, raw: bool) -> float:
    """Index ``count`` adverts, enriched with the shipped keywords unless ``raw``; seconds taken."""
    from elasticsearch.helpers import streaming_bulk

    from nlp import build_pipeline, enrich_texts

    texts = synthetic_adverts(count)
    started = time.perf_counter()
    if raw:
        records: Any = ({"keywords_version": "bench-old"} for _ in texts)
    else:
        records = enrich_texts(build_pipeline(None), ({"id": n, "text": t} for n, t in enumerate(texts)))

    def actions() -> Any:
        for number, (text, record) in enumerate(zip(texts, records, strict=True)):
            advert_id = f"bench:{number:07d}"
            record.pop("id", None)
            item = {
                "id": advert_id, "source": "bench", "kind": "feed", "url": f"https://bench.example/{number}",
                "fetched_at": "2026-11-20T10:00:00Z", "text": text, "enrichment": record,
            }  # fmt: skip
            cluster = ClusterInfo(doc_id(advert_id), 1, None, None, ("bench",))
            document = advert_document(item, cluster=cluster, first_seen=None, last_seen=None)
            yield {"_op_type": "index", "_index": alias, "_id": doc_id(advert_id), "_source": document}

    for ok, info in streaming_bulk(
        client, actions(), chunk_size=1000, raise_on_error=False, require_alias=True
    ):
        if not ok:
            raise RuntimeError(f"indexing failed: {info}")
    client.indices.refresh(index=alias)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--es-url", required=True)
    parser.add_argument("--index", type=int, default=100_000, help="adverts indexed and re-enriched")
    parser.add_argument("--sample", type=int, default=10_000, help="adverts the diff re-enriches")
    parser.add_argument("--raw", action="store_true", help="index without enrichment (reenrich's worst case)")
    args = parser.parse_args()
    if urlsplit(args.es_url).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("benchmarks talk to 127.0.0.1 only")
    from elasticsearch import Elasticsearch

    client = Elasticsearch(args.es_url, request_timeout=120)
    prefix = f"bench-workbench-{uuid.uuid4().hex[:8]}"
    folder = Path(tempfile.mkdtemp(prefix="smokkelradar-bench-"))
    figures: dict[str, Any] = {"load_before": round(os.getloadavg()[0], 1)}
    try:
        radar_yaml = write_config(folder, args.es_url, prefix)
        config = load_config(radar_yaml)
        settings = IndexerSettings.from_config(config)
        ensure_adverts_index(client, settings.names)
        seconds = index_adverts(client, settings.names.alias, args.index, raw=args.raw)
        figures["indexed"] = {"adverts": args.index, "enriched": not args.raw, "seconds": round(seconds, 1)}

        baseline = load_files(SHIPPED_KEYWORDS)
        transport = folder / "keywords" / "transport.yaml"
        transport.write_text(
            transport.read_text(encoding="utf-8").replace("boat, boats,", "boat, boats, zorgbot,")
        )
        proposed = load_files(folder / "keywords")
        started = time.perf_counter()
        report = run_diff(
            baseline, proposed, against="shipped", client=client, alias=settings.names.alias,
            searches=config.alerts, options=DiffOptions(sample=args.sample),
        )  # fmt: skip
        wall = time.perf_counter() - started
        figures["keywords_diff"] = {
            "sample": report.adverts, "wall_seconds": round(wall, 1),
            "adverts_per_s": round(report.adverts / wall), "steps_seconds": report.seconds,
            "target_seconds": 60,
        }  # fmt: skip

        config = load_config(radar_yaml)
        started = time.perf_counter()
        reenricher = Reenricher(config, client, ReenrichOptions(batch_size=500))
        result = reenricher.run()
        wall = time.perf_counter() - started
        figures["reenrich"] = {
            "adverts": result.run.seen, "updated": result.run.updated, "backfilled": result.run.backfilled,
            "wall_seconds": round(wall, 1), "adverts_per_s": round(result.run.seen / wall),
            "pages": result.pages,
        }  # fmt: skip
        figures["load_after"] = round(os.getloadavg()[0], 1)
    finally:
        for index in client.indices.get(index=f"{prefix}*", expand_wildcards="all", ignore_unavailable=True):
            client.indices.delete(index=index, ignore_unavailable=True)
        client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-adverts")
        found = client.options(ignore_status=404).cluster.get_component_template(name=f"{prefix}*")
        for template in found.body.get("component_templates", []) if found.meta.status == 200 else []:
            client.options(ignore_status=404).cluster.delete_component_template(name=template["name"])
        client.close()
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
