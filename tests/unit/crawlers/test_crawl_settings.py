"""The project settings: what must never be on, and what a source puts into a crawl."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawlers import settings as project
from crawlers.source_settings import (
    FEED_EXPORTER,
    SourceContext,
    drop_idle_feed_exporter,
    load_source,
    source_settings,
)
from radar.errors import RadarError

DEMO = Path(__file__).resolve().parents[3] / "config" / "demo" / "radar.yaml"


def test_remote_control_and_telnet_are_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    settings = get_project_settings()
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    assert settings.getbool("COOKIES_ENABLED") is False
    assert settings["TWISTED_DNS_RESOLVER"] == "crawlers.middlewares.ssrf_resolver.GuardedResolver"
    assert settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["executable_path"] == "/usr/bin/chromium"
    # Every custom component has its switch.
    for switch in (
        "SSRF_ENABLED",
        "CONDITIONAL_ENABLED",
        "ENRICH_ENABLED",
        "SPOOL_ENABLED",
        "EVIDENCE_ENABLED",
    ):
        assert getattr(project, switch) is True


@pytest.fixture
def demo_context(monkeypatch: pytest.MonkeyPatch) -> SourceContext:
    monkeypatch.setenv("SMOKKELRADAR_DEMO_WEB", "http://127.0.0.1:8950")
    return load_source(DEMO, "demo-forum", "listing")


def test_a_source_decides_politeness_user_agent_and_data_folders(demo_context: SourceContext) -> None:
    values = source_settings(demo_context)
    source, radar = demo_context.source, demo_context.config.radar
    assert values["USER_AGENT"] == radar.user_agent
    assert values["CONCURRENT_REQUESTS_PER_DOMAIN"] == source.politeness.concurrency == 4
    assert (
        values["DOWNLOAD_DELAY"]
        == source.politeness.delay.total_seconds()
        == timedelta(milliseconds=100).total_seconds()
    )
    assert values["ROBOTSTXT_OBEY"] is True
    assert values["SPOOL_PATH"] == str(radar.data.spool / "spool.sqlite")
    assert Path(values["EVIDENCE_DIR"]) == radar.data.evidence
    settings = Settings(values, priority="spider")
    settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")  # `-s` on the command line still wins
    assert settings.getfloat("DOWNLOAD_DELAY") == 0


def test_unknown_source_and_wrong_spider_are_clear_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMOKKELRADAR_DEMO_WEB", "http://127.0.0.1:8950")
    with pytest.raises(
        RadarError, match=r"SR-E400: no source named 'nope' .* \(listing sources: demo-forum\)"
    ):
        load_source(DEMO, "nope", "listing")
    with pytest.raises(
        RadarError, match=r"SR-E401: source 'demo-feed' is a feed source: crawl it with `scrapy crawl feed"
    ):
        load_source(DEMO, "demo-feed", "listing")
    assert os.environ["SMOKKELRADAR_DEMO_WEB"]


def test_pages_with_one_advert_get_one_item_task_and_pages_with_many_get_twenty(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMOKKELRADAR_DEMO_WEB", "http://127.0.0.1:8950")
    expected = {
        ("demo-forum", "listing"): 1,  # advert pages reached by links
        ("demo-sitemap", "sitemap"): 1,
        ("demo-live", "rendered"): 20,  # advert blocks on the board
        ("demo-telegram", "telegram"): 20,  # twenty messages per channel page
        ("demo-feed", "feed"): 20,  # entries read in place
    }
    for (name, kind), items in expected.items():
        assert source_settings(load_source(DEMO, name, kind))["CONCURRENT_ITEMS"] == items, name


def test_the_feed_exporter_stays_only_when_a_feed_is_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    plain = get_project_settings()
    drop_idle_feed_exporter(plain)
    assert plain.getdict("EXTENSIONS")[FEED_EXPORTER] is None
    assert plain.getdict("EXTENSIONS")["crawlers.report.RunReportExtension"] == 500
    exporting = get_project_settings()
    exporting.set("FEEDS", {"out.jsonl": {"format": "jsonlines"}}, priority="cmdline")  # `-o out.jsonl`
    drop_idle_feed_exporter(exporting)
    assert FEED_EXPORTER not in exporting.getdict("EXTENSIONS")
