"""Fixtures for crawler tests: the demo web on 127.0.0.1, a throwaway configuration around it,
and crawls run as child processes (``python -m scrapy crawl ...``, never a reactor in pytest).

``site(...)`` writes ``radar.yaml`` (data under tmp_path, SSRF exceptions as given) and a
sources folder holding copies of the shipped demo sources (``config/demo/sources``) plus any
extra sources YAML; ``site.crawl(kind, name)`` runs one crawl and returns its ``CrawlOutcome``;
``site.spooled()`` reads back what reached the spool.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawlers.runner import CrawlOutcome, crawl_source
from tests.sites.demoweb import DemoWeb

REPO = Path(__file__).resolve().parents[3]
DEMO_SOURCES = REPO / "config" / "demo" / "sources"
# Quick and quiet for tests; politeness is tested through settings, not by waiting.
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ENRICH_ENABLED": False,
    "RETRY_BACKOFF_BASE": 0.05,
    "DOWNLOAD_TIMEOUT": 15,
    "LOG_LEVEL": "INFO",
}

RADAR_YAML = """\
elasticsearch:
  url: http://127.0.0.1:9
smtp:
  host: 127.0.0.1
  port: 2525
  tls: none
  sender: radar@test.invalid
mdt_mailbox: mdt@test.invalid
analysts_mailbox: analysts@test.invalid
user_agent: "smokkelradar-test/0.1 (+https://smokkelradar.example/test)"
data:
  base: data
allowed_addresses: {allowed}
paths:
  sources: sources
  keywords: {keywords}
  alerts: alerts
"""


@dataclass
class Site:
    root: Path
    radar_yaml: Path
    demo: DemoWeb

    @property
    def data(self) -> Path:
        return self.root / "data"

    def crawl(self, kind: str, source: str, *, check: bool = False, **settings: Any) -> CrawlOutcome:
        outcome = crawl_source(
            kind, source, self.radar_yaml, settings={**FAST, **settings}, check=check, timeout=240
        )
        assert outcome.returncode == 0, "\n".join(outcome.log_tail)
        assert outcome.report is not None, "\n".join(outcome.log_tail)
        return outcome

    def spooled(self) -> dict[str, dict[str, Any]]:
        path = self.data / "spool" / "spool.sqlite"
        if not path.exists():
            return {}
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT advert_id, item FROM entries").fetchall()
        return {advert_id: json.loads(item) for advert_id, item in rows}

    def state(self, source: str) -> dict[str, Any]:
        return dict(
            json.loads((self.data / "state" / "crawl" / f"{source}.json").read_text(encoding="utf-8"))
        )


@pytest.fixture
def demo() -> Iterator[DemoWeb]:
    with DemoWeb.from_corpus() as web:
        yield web


@pytest.fixture
def make_site(tmp_path: Path, demo: DemoWeb, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Site]:
    def make(
        extra_sources: str = "",
        *,
        demo_sources: tuple[str, ...] = ("feed", "forum", "live", "sitemap", "telegram"),
        allowed: tuple[str, ...] = ("127.0.0.1",),
    ) -> Site:
        monkeypatch.setenv("SMOKKELRADAR_DEMO_WEB", demo.url)
        (tmp_path / "sources").mkdir()
        (tmp_path / "alerts").mkdir()
        for name in demo_sources:
            shutil.copy(DEMO_SOURCES / f"{name}.yaml", tmp_path / "sources" / f"{name}.yaml")
        if extra_sources:
            text = extra_sources.replace("DEMO", demo.url)
            (tmp_path / "sources" / "extra.yaml").write_text(text, encoding="utf-8")
        radar_yaml = tmp_path / "radar.yaml"
        radar_yaml.write_text(
            RADAR_YAML.format(allowed=json.dumps(list(allowed)), keywords=REPO / "config" / "keywords"),
            encoding="utf-8",
        )
        return Site(tmp_path, radar_yaml, demo)

    return make
