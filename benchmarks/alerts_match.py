"""Alert matching throughput and immediate-alert latency on the local Elasticsearch node.

Run: ``.venv/bin/python benchmarks/alerts_match.py --es-url http://127.0.0.1:9253
[--searches 1000] [--adverts 5000] [--batch 500] [--latency-adverts 200]``

1. Throughput: ``--searches`` saved searches (generated from a multilingual vocabulary: free text,
   countries, documents, transport, languages, prices) are stored in the saved-search index;
   ``--adverts`` enriched adverts are bulk-indexed; then the alert service matches everything
   new (scan of ``indexed_at`` + one ``_msearch`` per batch + ledger writes), exactly the code
   the scheduler runs. Figure: adverts/s.
2. Latency of an immediate alert: one advert at a time goes through the indexer's spool and
   drain (the real pipeline); from the moment the drain returns (the advert is in the index) to
   the moment the local SMTP server accepted the mail about it. Figures: p50 / p95 / max.

Everything runs on 127.0.0.1 under a throw-away index prefix that is removed at the end.
Prints the figures; asserts nothing, never part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller
from elasticsearch import Elasticsearch, helpers

from alerts.service import AlertService, smtp_settings
from indexer.bulk import DrainOptions
from indexer.document import ClusterInfo, advert_document, doc_id
from indexer.settings import IndexerSettings
from indexer.spool import Spool
from indexer.stage import drain_spool
from indexer.templates import IndexNames, ensure_adverts_index
from radar.config.loader import load_config

COUNTRIES = [
    "LY",
    "IT",
    "TR",
    "GR",
    "SY",
    "AF",
    "IR",
    "IQ",
    "DE",
    "NL",
    "FR",
    "GB",
    "ES",
    "MA",
    "TN",
    "RS",
    "HU",
    "BY",
]
DOCUMENTS = ["passport", "visa", "residence_permit", "id_card", "driving_licence", "travel_document"]
TRANSPORT = ["boat", "dinghy", "yacht", "truck", "car", "plane", "train", "foot"]
LANGUAGES = ["ar", "fa", "en", "fr", "tr", "de", "it", "el", "ps", "ckb"]
WORDS = {
    "en": [
        "boat",
        "sea",
        "crossing",
        "Italy",
        "Germany",
        "passport",
        "visa",
        "guaranteed",
        "safe",
        "family",
        "price",
        "contact",
        "whatsapp",
        "trip",
    ],
    "ar": [
        "قارب",
        "بحر",
        "ايطاليا",
        "المانيا",
        "جواز",
        "سفر",
        "فيزا",
        "مضمون",
        "عائلة",
        "سعر",
        "تواصل",
        "رحلة",
    ],
    "fa": ["قایق", "دریا", "ایتالیا", "آلمان", "پاسپورت", "ویزا", "تضمینی", "خانواده", "قیمت", "تماس", "سفر"],
    "fr": [
        "bateau",
        "mer",
        "traversée",
        "Italie",
        "Allemagne",
        "passeport",
        "visa",
        "garanti",
        "famille",
        "prix",
        "contact",
        "voyage",
    ],
    "tr": [
        "tekne",
        "deniz",
        "geçiş",
        "İtalya",
        "Almanya",
        "pasaport",
        "vize",
        "garantili",
        "aile",
        "fiyat",
        "iletişim",
        "yolculuk",
    ],
}
QUERY_WORDS = [w for words in WORDS.values() for w in words]


def searches_yaml(count: int, rng: random.Random) -> str:
    """Saved searches as analysts write them: two or three constraints each, some with free text."""
    lines = ["searches:"]
    for number in range(count):
        filters: dict[str, Any] = {}
        kind = number % 5
        if kind in (0, 1, 4):
            filters["document"] = rng.sample(DOCUMENTS, rng.randint(1, 2))
        if kind in (0, 1, 2, 3):
            filters["to"] = rng.sample(COUNTRIES, 2)
        if kind in (1, 2):
            filters["from"] = rng.choice(COUNTRIES)
        if kind in (2, 3):
            filters["transport"] = rng.sample(TRANSPORT, rng.randint(1, 3))
        if kind == 4:
            filters["lang"] = rng.sample(LANGUAGES, 2)
            filters["price_min"] = rng.choice([500, 1000, 2000])
        query = " ".join(rng.sample(QUERY_WORDS, rng.randint(1, 2))) if number % 3 == 0 else ""
        flow = ", ".join(f"{key}: {value!r}".replace("'", "") for key, value in filters.items())
        lines += [
            f"  - name: s{number:04d}",
            f"    query: '{query}'" if query else "    query: ''",
            f"    filters: {{{flow}}}",
            f"    min_score: {rng.choice([0.3, 0.5, 0.7])}",
            "    cadence: daily at 07:30",
        ]
    # The one the latency run mails at once.
    lines += [
        "  - name: latency-probe",
        "    filters: {source: probe}",
        "    min_score: 0.1",
        "    cadence: immediate",
        "    delivery: per_advert",
        "    language: en",
    ]
    return "\n".join(lines) + "\n"


def item(rng: random.Random, number: int, source: str = "bench") -> dict[str, Any]:
    language = rng.choice(list(WORDS))
    text = " ".join(rng.choices(WORDS[language], k=40)) + f" ref {number} {uuid.uuid4().hex[:8]}"
    origin, destination = rng.sample(COUNTRIES, 2)
    amount = rng.choice([800, 1500, 2500, 4000, 6000])
    return {
        "id": f"{source}:{number}",
        "source": source,
        "kind": "feed",
        "url": f"https://adverts.example/{source}/{number}",
        "fetched_at": datetime.now(UTC).isoformat(),
        "posted_at": datetime.now(UTC).isoformat(),
        "text": text,
        "language": language,
        "languages": [language],
        "route": {"origin": origin, "transit": [], "destination": destination},
        "prices": [{"amount": amount, "currency": "EUR", "eur": amount, "kind": "per_person"}],
        "documents": rng.sample(DOCUMENTS, rng.randint(0, 2)),
        "transport": rng.sample(TRANSPORT, rng.randint(0, 2)),
        "phones": [],
        "handles": [],
        "emails": [],
        "score": round(rng.random(), 2),
        "rules": [],
    }


def write_config(folder: Path, es_url: str, prefix: str, smtp_port: int, searches: str) -> Path:
    for sub in ("sources", "keywords", "alerts"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "radar.yaml").write_text(
        f"elasticsearch: {{url: '{es_url}', index_prefix: {prefix}}}\n"
        f"smtp: {{host: 127.0.0.1, port: {smtp_port}, tls: none, sender: radar@bench.invalid}}\n"
        "mdt_mailbox: mdt@bench.invalid\nanalysts_mailbox: analysts@bench.invalid\n"
        "user_agent: smokkelradar-benchmark/0.1\ndata: {base: data}\n"
    )
    (folder / "sources" / "bench.yaml").write_text(
        "sources:\n"
        "  - {name: bench, kind: feed, feed_url: 'http://127.0.0.1:9/f'}\n"
        "  - {name: probe, kind: feed, feed_url: 'http://127.0.0.1:9/g'}\n"
    )
    (folder / "alerts" / "bench.yaml").write_text(searches)
    return folder / "radar.yaml"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AcceptClock:
    """SMTP handler noting when each mail (by its advert header) was accepted."""

    def __init__(self) -> None:
        self.accepted: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook name)
        now = time.monotonic()
        content = envelope.original_content or envelope.content
        for line in bytes(content).split(b"\r\n"):
            if line.startswith(b"X-Smokkelradar-Adverts:"):
                with self.lock:
                    self.accepted[line.split(b":", 1)[1].strip().decode()] = now
        return "250 OK"


def bulk_index(client: Elasticsearch, alias: str, items: list[dict[str, Any]]) -> None:
    def actions() -> Any:
        for entry in items:
            cluster = ClusterInfo(doc_id(entry["id"]), 1, None, None, (entry["source"],))
            document = advert_document(entry, cluster=cluster, first_seen=None, last_seen=None)
            yield {"_index": alias, "_id": doc_id(entry["id"]), "_source": document}

    helpers.bulk(client.options(request_timeout=120), actions(), chunk_size=1000)
    client.indices.refresh(index=alias)


def throughput(
    service: AlertService, client: Elasticsearch, alias: str, adverts: int, rng: random.Random
) -> None:
    items = [item(rng, number) for number in range(adverts)]
    bulk_index(client, alias, items[:200])
    service.match_new()  # warm-up: caches, saved searches loaded, first batch
    bulk_index(client, alias, items[200:])
    started = time.perf_counter()
    checked, matches = service.match_new()
    seconds = time.perf_counter() - started
    print(
        f"matching: {checked} new adverts x {len(service.config.alerts)} saved searches in {seconds:.2f} s "
        f"= {checked / seconds:.0f} adverts/s (batch {service.batch_size}); {matches} new matches queued "
        f"({matches / max(1, checked):.1f} per advert), ledger writes included"
    )


def latency(
    service: AlertService, config_path: Path, clock: AcceptClock, count: int, rng: random.Random
) -> None:
    config = load_config(config_path)
    settings = IndexerSettings.from_config(config)
    spool = Spool(settings.spool_path)
    waits: list[float] = []
    for number in range(count):
        entry = dict(item(rng, 100_000 + number, source="probe"), score=0.9)
        spool.put(entry)
        drain_spool(settings, service.client, DrainOptions(refresh=True))
        in_index = time.monotonic()  # acknowledged and searchable
        service.run_immediate()
        accepted = clock.accepted.get(entry["id"])
        if accepted is None:
            raise RuntimeError(f"no mail accepted for {entry['id']}")
        waits.append(accepted - in_index)
    spool.close()
    waits.sort()
    p50 = statistics.median(waits)
    p95 = waits[max(0, round(0.95 * len(waits)) - 1)]
    print(
        f"immediate alert latency (in the index -> accepted by SMTP), {count} adverts: "
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {waits[-1] * 1000:.0f} ms"
    )


def cleanup(client: Elasticsearch, prefix: str) -> None:
    found = client.indices.get(index=f"{prefix}*", expand_wildcards="all", ignore_unavailable=True)
    for index in found:
        client.indices.delete(index=index, ignore_unavailable=True)
    client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-adverts")
    templates = client.options(ignore_status=404).cluster.get_component_template(name=f"{prefix}*")
    for template in templates.body.get("component_templates", []) if templates.meta.status == 200 else []:
        client.options(ignore_status=404).cluster.delete_component_template(name=template["name"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--es-url", default=os.environ.get("SMOKKELRADAR_TEST_ES_URL", "http://127.0.0.1:9251")
    )
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--adverts", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--latency-adverts", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if urlsplit(args.es_url).hostname != "127.0.0.1":
        raise SystemExit("benchmarks talk to 127.0.0.1 only")

    rng = random.Random(args.seed)
    prefix = f"bench-alerts-{uuid.uuid4().hex[:8]}"
    clock = AcceptClock()
    smtp = Controller(clock, hostname="127.0.0.1", port=free_port())
    smtp.start()
    client = Elasticsearch(args.es_url, request_timeout=300)
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = write_config(
                Path(folder), args.es_url, prefix, smtp.port, searches_yaml(args.searches, rng)
            )
            config = load_config(path)
            ensure_adverts_index(client, IndexNames(prefix))
            service = AlertService(config, client, smtp_settings(config), batch_size=args.batch)
            started = time.perf_counter()
            service.sync_searches()
            print(f"stored {len(config.alerts)} saved searches in {time.perf_counter() - started:.1f} s")
            throughput(service, client, IndexNames(prefix).alias, args.adverts, rng)
            latency(service, path, clock, args.latency_adverts, rng)
            service.close()
    finally:
        cleanup(client, prefix)
        client.close()
        smtp.stop()


if __name__ == "__main__":
    main()
