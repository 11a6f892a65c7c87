"""The jobs a configuration asks for, computed without starting a scheduler."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from radar.config.loader import load_config
from radar.scheduler import crontab_trigger, desired_jobs

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 6, 1, 0, 0, tzinfo=AMSTERDAM)  # a Monday


@pytest.mark.parametrize(
    ("expression", "weekday"),
    [
        ("0 8 * * 1", 0),
        ("0 8 * * 0", 6),
        ("0 8 * * 7", 6),
        ("0 8 * * 5", 4),
        ("0 8 * * fri", 4),
        ("0 8 * * 2-4", 1),
    ],
)
def test_crontab_weekdays_count_from_sunday(expression: str, weekday: int) -> None:
    fire = crontab_trigger(expression, AMSTERDAM, None).get_next_fire_time(None, MONDAY)
    assert fire is not None and (fire.weekday(), fire.hour) == (weekday, 8)


def _config(tmp_path: Path) -> Path:
    (tmp_path / "sources").mkdir()
    (tmp_path / "keywords").mkdir()
    (tmp_path / "alerts").mkdir()
    (tmp_path / "radar.yaml").write_text(
        "elasticsearch: {url: 'http://127.0.0.1:9'}\n"
        "smtp: {host: 127.0.0.1, port: 25, tls: none, sender: r@t.invalid}\n"
        "mdt_mailbox: m@t.invalid\nanalysts_mailbox: a@t.invalid\nuser_agent: test-agent/1\n"
        "data: {base: data}\n"
    )
    (tmp_path / "sources" / "s.yaml").write_text(
        "sources:\n"
        "  - {name: hourly, kind: feed, feed_url: 'http://127.0.0.1:9/f',\n"
        "     schedule: {every: 90m, jitter: 1m}}\n"
        "  - {name: off, kind: feed, feed_url: 'http://127.0.0.1:9/g', enabled: false}\n"
    )
    (tmp_path / "alerts" / "a.yaml").write_text(
        "searches:\n"
        "  - {name: now, filters: {transport: boat}, cadence: immediate}\n"
        "  - {name: hourly-s, filters: {transport: boat}, cadence: hourly}\n"
        "  - {name: weekly-s, filters: {transport: boat}, cadence: weekly on sunday at 18:15}\n"
        "  - {name: off-s, filters: {transport: boat}, cadence: daily, enabled: false}\n"
    )
    return tmp_path / "radar.yaml"


def test_one_job_per_source_and_scheduled_search(tmp_path: Path) -> None:
    radar_yaml = _config(tmp_path)
    jobs = desired_jobs(radar_yaml, load_config(radar_yaml))
    assert set(jobs) == {
        "crawl:hourly",
        "alert:hourly-s",
        "alert:weekly-s",
        "index:drain",
        "alerts:immediate",
        "retention",
    }
    crawl = jobs["crawl:hourly"]
    assert (crawl.func, crawl.args[:2]) == ("radar.jobs:crawl", (str(radar_yaml), "hourly"))
    assert (crawl.trigger.interval, crawl.trigger.jitter) == (timedelta(minutes=90), 60)
    weekly = jobs["alert:weekly-s"].trigger.get_next_fire_time(None, MONDAY)
    assert (weekly.weekday(), weekly.hour, weekly.minute) == (6, 18, 15)
    hourly = jobs["alert:hourly-s"].trigger.get_next_fire_time(None, MONDAY + timedelta(minutes=5))
    assert (hourly.hour, hourly.minute) == (1, 0)
    # Names spell out every schedule parameter: a changed schedule is a changed job.
    assert "every 1:30:00, jitter 60s" in crawl.name
    assert jobs["alert:weekly-s"].name == "alert weekly-s, weekly on sunday at 18:15 Europe/Amsterdam"
