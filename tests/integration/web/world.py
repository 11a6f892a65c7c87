"""The web tests' world: a configuration in a temporary folder, the labelled corpus plus
hostile adverts indexed into the real local Elasticsearch through the indexer's own spool
and drain, and a web account per role."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer.bulk import DrainOptions
from indexer.settings import IndexerSettings
from indexer.spool import Spool
from indexer.stage import drain_spool
from radar.config.loader import load_config
from tests.integration.indexer.corpus_items import corpus_items
from tests.unit.web.support import add_user, write_config
from web.settings import WebSettings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

PWNED = "window.__pwned=1"
RLO = "\u202e"
HOSTILE_PHONE = "+218911000111"
HOSTILE_TEXT = (
    f"Passport and visa, fast. <script>{PWNED}</script> "
    f'<img src=x onerror="{PWNED}"> <a href="javascript:{PWNED}">click</a> '
    f"<svg onload={PWNED}></svg> {RLO}gnp.exe evil{RLO} right-to-left override. "
    f"From Tripoli to Italy by boat, 2500 EUR. WhatsApp {HOSTILE_PHONE}"
)
EVIDENCE_BYTES = b"WARC/1.1\r\nWARC-Type: response\r\n\r\n<html>captured page</html>\r\n"


def hostile_item(number: int) -> dict[str, Any]:
    """An advert written to attack the page that shows it (script, event handlers, RLO, javascript:)."""
    advert_id = f"hostile-feed:{number}"
    return {
        "id": advert_id,
        "source": "hostile-feed",
        "kind": "feed",
        "url": f"javascript:{PWNED}",
        "fetched_at": "2026-11-20T11:00:00Z",
        "posted_at": f"2026-11-20T10:0{number}:00Z",
        "title": f'"><script>{PWNED}</script><img src=x onerror={PWNED}> {RLO}fdp.exe title',
        "text": HOSTILE_TEXT + f" (variant {number} {'x' * 300 * number})",
        "author": f"<b onmouseover={PWNED}>{RLO}nimda",
        "outlinks": [f"javascript:{PWNED}", "data:text/html,<script>alert(1)</script>"],
        "text_sha256": hashlib.sha256(HOSTILE_TEXT.encode()).hexdigest(),
        "evidence": [
            {
                "kind": "warc",
                "path": f"warc/hostile-{number}.warc",
                "sha256": hashlib.sha256(EVIDENCE_BYTES).hexdigest(),
                "captured_at": "2026-11-20T11:00:00Z",
            }
        ],
        "enrichment": {
            "language": "en",
            "languages": ["en"],
            "route": {"origin": "LY", "transit": [], "destination": "IT"},
            "places": [{"text": "Tripoli", "country": "LY", "role": "origin", "start": None, "end": None}],
            "prices": [{"amount": 2500, "currency": "EUR", "eur": 2500, "kind": "per_person"}],
            "documents": ["passport", "visa"],
            "transport": ["boat"],
            "phones": [{"e164": HOSTILE_PHONE}],
            "handles": [{"platform": "telegram", "value": f"x{RLO}evil<script>"}],
            "emails": [],
            "score": 0.95,
            "rules": [{"rule": f"<script>{PWNED}</script>", "weight": 1.0}],
        },
    }


@dataclass
class World:
    radar_yaml: Path
    settings: WebSettings
    indexer: IndexerSettings
    adverts: int


ROLES = {"olga": "officer", "arno": "analyst", "adam": "admin"}


def make_world(folder: Path, client: Elasticsearch, es_url: str, prefix: str, **web_options: Any) -> World:
    radar_yaml = write_config(folder, es_url=es_url, prefix=prefix)
    config = load_config(radar_yaml)
    indexer = IndexerSettings.from_config(config)
    items = [*corpus_items(), hostile_item(1), hostile_item(2)]
    with Spool(indexer.spool_path) as spool:
        spool.put_many(items)
    report = drain_spool(indexer, client, DrainOptions(refresh=True, give_up_after=60))
    if report.dead or report.indexed != len(items):
        raise AssertionError(f"indexing the corpus failed: {report.counts()} {report.reasons}")
    evidence = indexer.evidence_dir / "warc"
    evidence.mkdir(parents=True, exist_ok=True)
    (evidence / "hostile-1.warc").write_bytes(EVIDENCE_BYTES)
    (evidence / "hostile-2.warc").write_bytes(EVIDENCE_BYTES + b"tampered")
    web_options.setdefault("secure_cookies", False)
    settings = WebSettings.from_config(config, **web_options)
    for name, role in ROLES.items():
        add_user(settings, name, role)
    return World(radar_yaml, settings, indexer, len(items))


def remove_world(client: Elasticsearch, prefix: str) -> None:
    """The indices, index template and component template of ``prefix``."""
    found = client.indices.get(index=f"{prefix}-*", expand_wildcards="all", ignore_unavailable=True)
    for index in found:
        client.indices.delete(index=index, ignore_unavailable=True)
    client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-adverts")
    client.options(ignore_status=404).cluster.delete_component_template(name=f"{prefix}-advert-fields")
