"""The rendered crawl's Playwright driver: one per crawl, started with our node options
(real node driver and real headless Chromium; crawlers/browser_contexts.py)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings
from scrapy_playwright.handler import Config

from crawlers.browser_contexts import DriverProvider

pytestmark = pytest.mark.browser


def children_of(pid: int) -> list[int]:
    return [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]


def environment_of(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(pair.decode().split("=", 1) for pair in pairs if b"=" in pair)


def test_driver_gets_the_node_options_and_our_environment_is_left_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NODE_OPTIONS", "--stack-trace-limit=20")
    config = Config.from_settings(Settings({"PLAYWRIGHT_BROWSER_TYPE": "chromium"}))

    async def start_and_look() -> list[dict[str, str]]:
        provider = DriverProvider(config, node_options="--max-semi-space-size=2")
        await provider.start()  # node refuses an option NODE_OPTIONS may not carry: start fails
        try:
            commands = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children_of(os.getpid())}
            drivers = [pid for pid, command in commands.items() if b"run-driver" in command]
            return [environment_of(pid) for pid in drivers]
        finally:
            await provider.close()

    environments = asyncio.run(start_and_look())
    assert len(environments) == 1
    assert environments[0]["NODE_OPTIONS"] == "--stack-trace-limit=20 --max-semi-space-size=2"
    assert os.environ["NODE_OPTIONS"] == "--stack-trace-limit=20"


def test_one_driver_serves_the_whole_crawl_with_the_configured_node_options(
    make_site: Callable[..., Any],
) -> None:
    # Scrapy asks for a download handler per scheme (http and https); each used to start a
    # driver of its own. Now the crawl starts one, with PLAYWRIGHT_DRIVER_NODE_OPTIONS.
    site = make_site(demo_sources=("live",))
    outcome = site.crawl("rendered", "demo-live", PLAYWRIGHT_DRIVER_NODE_OPTIONS="--max-semi-space-size=2")
    assert outcome.report is not None and outcome.report["errors"] == {}
    assert outcome.report["adverts"]["new"] == len(site.demo.entries_of("js")) > 5
    assert outcome.log.count("Starting download handler") == 1
    assert outcome.log.count("Starting Playwright's driver with NODE_OPTIONS") == 1
    assert "--max-semi-space-size=2" in outcome.log
    assert outcome.log.count("Closing browser") == 1
