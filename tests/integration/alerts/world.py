"""A small alerting world for integration tests: a configuration in tmp_path, the real local
Elasticsearch (adverts indexed through the indexer's own spool and drain), and the real SMTP
server from ``support``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alerts.ledger import Ledger
from alerts.service import LEDGER_FILE, AlertService, smtp_settings
from indexer.bulk import DrainOptions
from indexer.settings import IndexerSettings
from indexer.spool import Spool
from indexer.stage import drain_spool
from radar.config.loaded import Config
from radar.config.loader import load_config
from tests.integration.alerts.support import LocalMailServer

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

SEARCHES = """searches:
  - name: forged-passports
    query: passport
    filters: {document: passport}
    min_score: 0.5
    cadence: immediate
    delivery: per_advert
    language: en
  - name: sea-daily
    description: Boat crossings from Libya.
    filters: {transport: boat, from: LY}
    min_score: 0.5
    cadence: daily at 07:30
    delivery: digest
    language: nl
"""

PASSPORT_TEXT = (
    "Real passports for sale <script>alert(1)</script>, Schengen visa too. We bring you from Tripoli "
    "in Libya to Italy safely, documents ready in ten days. Price 3000 USD per document, half now "
    "and half on arrival. Contact WhatsApp +218912345678 any time, serious people only please."
)
REPOST_TEXT = PASSPORT_TEXT.replace("any time", "any time!!").replace("ten days", "ten days.")
OTHER_PASSPORT_TEXT = (
    "Original Greek passport and ID card, real in the system, delivered to Athens or Thessaloniki. "
    "Payment by hawala office. Telegram @docs_master_gr, answer within the hour."
)
# Two different boat adverts (not near-duplicates of each other).
BOAT_TEXTS = (
    "Boat from Zuwara to Lampedusa every week, life jackets included. Price 2500 euro per person, "
    "children free. Call +218913000001.",
    "Big fishing ship leaves Sabratha on Friday night for Sicily, captain with experience, "
    "food and water on board, pay in Tripoli office. Viber only.",
)


def advert(
    advert_id: str,
    text: str,
    *,
    source: str = "test-feed",
    documents: tuple[str, ...] = (),
    transport: tuple[str, ...] = (),
    route: tuple[str | None, str | None] = ("LY", "IT"),
    score: float = 0.9,
    language: str = "en",
    prices: tuple[tuple[float, str, float], ...] = (),
    phones: tuple[str, ...] = (),
    posted_at: str = "2026-07-01T10:00:00Z",
) -> dict[str, Any]:
    """A spooled item as the crawler writes it, with the enrichment record nested."""
    return {
        "id": advert_id,
        "source": source,
        "kind": "feed",
        "url": f"https://adverts.example/{advert_id}",
        "fetched_at": "2026-07-01T11:00:00Z",
        "posted_at": posted_at,
        "title": None,
        "text": text,
        "enrichment": {
            "language": language,
            "languages": [language],
            "route": {"origin": route[0], "transit": [], "destination": route[1]},
            "prices": [
                {"amount": amount, "currency": currency, "eur": eur, "kind": "per_document"}
                for amount, currency, eur in prices
            ],
            "documents": list(documents),
            "transport": list(transport),
            "phones": [{"e164": phone} for phone in phones],
            "handles": [],
            "emails": [],
            "score": score,
            "rules": [],
        },
        "evidence": [{"kind": "warc", "path": f"warc/{advert_id}.warc.gz", "sha256": "ab" * 32}],
    }


def passport_advert(
    advert_id: str = "test-feed:1", text: str = PASSPORT_TEXT, **extra: Any
) -> dict[str, Any]:
    return advert(
        advert_id,
        text,
        documents=("passport", "visa"),
        prices=((3000, "USD", 2760),),
        phones=("+218912345678",),
        **extra,
    )


def boat_advert(n: int) -> dict[str, Any]:
    return advert(
        f"test-feed:boat-{n}",
        BOAT_TEXTS[n % len(BOAT_TEXTS)],
        transport=("boat",),
        prices=((2500, "EUR", 2500),),
        route=("LY", "IT"),
    )


@dataclass
class World:
    radar_yaml: Path
    config: Config
    client: Elasticsearch
    server: LocalMailServer

    @property
    def indexer(self) -> IndexerSettings:
        return IndexerSettings.from_config(self.config)

    def index(self, *items: dict[str, Any]) -> int:
        """Through the spool and the indexer's drain, exactly as the pipeline indexes."""
        with Spool(self.indexer.spool_path) as spool:
            spool.put_many(items)
        report = drain_spool(self.indexer, self.client, DrainOptions(refresh=True, give_up_after=30))
        if report.dead:
            raise AssertionError(f"items rejected by the indexer: {report.reasons}")
        return report.indexed

    def service(self) -> AlertService:
        return AlertService(self.config, self.client, smtp_settings(self.config))

    def ledger(self) -> Ledger:
        return Ledger(self.config.radar.data.state / LEDGER_FILE)

    def doc(self, advert_id: str) -> dict[str, Any]:
        from indexer.document import doc_id

        found = self.client.get(
            index=f"{self.config.radar.elasticsearch.index_prefix}-adverts", id=doc_id(advert_id)
        )
        source: dict[str, Any] = found["_source"]
        return source


def make_world(
    folder: Path, client: Elasticsearch, es_url: str, prefix: str, server: LocalMailServer
) -> World:
    from tests.integration.alerts.support import write_config

    radar_yaml = write_config(folder, es_url=es_url, prefix=prefix, smtp_port=server.port, searches=SEARCHES)
    return World(radar_yaml, load_config(radar_yaml), client, server)


def remove_templates(client: Elasticsearch, prefix: str) -> None:
    """The index template first (components in use cannot be deleted), then the component templates."""
    client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-adverts")
    found = client.options(ignore_status=404).cluster.get_component_template(name=f"{prefix}*")
    for template in found.body.get("component_templates", []) if found.meta.status == 200 else []:
        client.options(ignore_status=404).cluster.delete_component_template(name=template["name"])
