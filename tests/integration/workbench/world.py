"""A workbench world for integration tests: a configuration in tmp_path with its own copy of the
shipped keywords (so a test can change them), the real local Elasticsearch, the real SMTP server,
and adverts from the labelled demo corpus indexed exactly as the crawler would deliver them:
enriched with the keywords in force, then spooled and drained by the indexer.

``SLANG`` is a word no keyword file has; ``slang_advert`` writes relevant adverts that use it
instead of any known boat word, so adding it to the vocabulary changes exactly those adverts.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer.bulk import DrainOptions
from indexer.document import doc_id
from indexer.settings import IndexerSettings
from indexer.spool import Spool
from indexer.stage import drain_spool
from nlp import build_pipeline, enrich_texts
from nlp.evaluation import advert_text, load_corpus
from radar.config.loaded import Config
from radar.config.loader import load_config
from tests.integration.alerts.support import write_config
from workbench.keyword_sets import SHIPPED_KEYWORDS

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

SLANG = "zorgbot"

SEARCHES = """searches:
  - name: boats
    description: Boat crossings.
    filters: {transport: boat}
    min_score: 0.5
    cadence: immediate
    delivery: digest
    language: en
  - name: passports
    query: passport
    filters: {document: passport}
    min_score: 0.5
    cadence: daily at 07:30
    language: en
"""

SOURCES = """sources:
  - name: corpus
    kind: feed
    feed_url: http://127.0.0.1:9/feed.xml
  - name: chat
    kind: feed
    feed_url: http://127.0.0.1:9/chat.xml
"""


_SLANG_TEMPLATES = (
    "Trip number {n}: {slang} leaving from Zuwara in Libya to Lampedusa in Italy next week. Price 2500 euro "
    "per person, half now and half on arrival. WhatsApp +2189130{n:05d} serious people only, places left.",
    "New {slang} every Friday night from Sabratha in Libya to Italy, captain with long experience. "
    "2800 euro per person, children free, half now. WhatsApp +2189131{n:05d}, places left.",
    "Brothers, the {slang} is ready at Garabulli beach. We take families, food and water included, arrival "
    "Sicily guaranteed. Pay in the Tripoli office, 3000 euro. Telegram @captain_{n}",
    "Last places on the big {slang} this weekend, Tobruk to Crete then Italy. 3500 dollar per head, "
    "deposit 1000 before the trip. Viber +2189132{n:05d}, discreet.",
)


def slang_advert(n: int) -> tuple[str, str]:
    """(advert id, text): an English smuggling offer whose only means of transport is the slang word;
    the wording varies with ``n``, as different smugglers' adverts do."""
    text = _SLANG_TEMPLATES[n % len(_SLANG_TEMPLATES)].format(n=n, slang=SLANG)
    return f"chat:slang-{n}", text


@dataclass
class World:
    radar_yaml: Path
    client: Elasticsearch

    @property
    def config(self) -> Config:
        return load_config(self.radar_yaml)

    @property
    def keywords(self) -> Path:
        return self.radar_yaml.parent / "keywords"

    @property
    def alias(self) -> str:
        return IndexerSettings.from_config(self.config).names.alias

    def index(self, adverts: Sequence[tuple[str, str, str]], *, date: str = "2026-11-20T10:00:00Z") -> int:
        """(advert id, source, text) enriched with the keywords in force, then spooled and drained."""
        config = self.config
        nlp = build_pipeline(config)
        items = []
        records = enrich_texts(nlp, ({"id": advert_id, "text": text} for advert_id, _, text in adverts))
        for (advert_id, source, text), record in zip(adverts, records, strict=True):
            record.pop("id")
            items.append(
                {
                    "id": advert_id, "source": source, "kind": "feed", "url": f"https://adverts.example/{advert_id}",
                    "fetched_at": date, "posted_at": date, "title": None, "text": text, "enrichment": record,
                }
            )  # fmt: skip
        settings = IndexerSettings.from_config(config)
        with Spool(settings.spool_path) as spool:
            spool.put_many(items)
        report = drain_spool(settings, self.client, DrainOptions(refresh=True, give_up_after=30))
        if report.dead:
            raise AssertionError(f"items rejected by the indexer: {report.reasons}")
        return report.indexed

    def doc(self, advert_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.client.get(index=self.alias, id=doc_id(advert_id))["_source"]
        return found

    def add_term(self, file: str, term: str, *, group: str = "boat", language: str = "any") -> None:
        """Put a term into the first list of a keyword group (a plain text edit, as an analyst would)."""
        path = self.keywords / file
        text = path.read_text(encoding="utf-8")
        marker = f"- value: {group}\n    terms:\n      {language}: ["
        assert marker in text, f"{marker!r} not in {path}"
        path.write_text(text.replace(marker, f'{marker}"{term}", ', 1), encoding="utf-8")


def corpus_adverts(per_language: int = 6) -> list[tuple[str, str, str]]:
    """The first adverts of every language of the labelled corpus, as (advert id, source, text)."""
    taken: dict[str, int] = {}
    adverts = []
    for entry in load_corpus():
        if taken.get(entry["lang"], 0) < per_language:
            taken[entry["lang"]] = taken.get(entry["lang"], 0) + 1
            adverts.append((f"corpus:{entry['id']}", "corpus", advert_text(entry)))
    return adverts


def make_world(folder: Path, client: Elasticsearch, es_url: str, prefix: str, smtp_port: int) -> World:
    radar_yaml = write_config(
        folder, es_url=es_url, prefix=prefix, smtp_port=smtp_port, searches=SEARCHES, sources=SOURCES
    )
    shutil.copytree(SHIPPED_KEYWORDS, folder / "keywords", dirs_exist_ok=True)
    return World(radar_yaml, client)
