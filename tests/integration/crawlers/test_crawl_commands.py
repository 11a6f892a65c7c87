"""`smokkelradar crawl`, `sources list|check`, the cycle's crawl stage, and what a crawl process
must not do: open a listening port (Scrapy 2.19's remote control runs code sent to it)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from typing import Any

from typer.testing import CliRunner

from crawlers.runner import REPO_ROOT, crawl_command
from crawlers.stage import run_crawl_stage
from radar.cli import app
from tests.proc_sockets import LISTEN, socket_inodes, tcp_inodes

DRIFTED = """
sources:
  - name: drifted-board
    kind: listing
    start_urls: [DEMO/bad/drift/]
    selectors:
      links: "li.thread a.thread-title::attr(href)"
      fields:
        body: "div.post-body"
  - name: slow-page
    kind: listing
    start_urls: [DEMO/bad/slow?seconds=6]
    selectors:
      item: "body"
      fields:
        body: "p.slow"
"""


def test_crawl_command_crawls_named_sources_and_summarizes(make_site: Callable[..., Any]) -> None:
    site = make_site(demo_sources=("feed", "sitemap"))
    result = CliRunner().invoke(app, ["crawl", "demo-feed", "demo-sitemap", "--config", str(site.radar_yaml)])
    assert result.exit_code == 0, result.output
    assert "Crawl summary" in result.output
    assert "demo-feed" in result.output and "demo-sitemap" in result.output
    sources = {item["source"] for item in site.spooled().values()}
    assert sources == {"demo-feed", "demo-sitemap"}

    unknown = CliRunner().invoke(app, ["crawl", "no-such-source", "--config", str(site.radar_yaml)])
    assert unknown.exit_code == 1 and "unknown source(s): no-such-source" in unknown.output


def test_sources_list_and_check(make_site: Callable[..., Any]) -> None:
    site = make_site(DRIFTED, demo_sources=("forum", "telegram"))
    runner = CliRunner()
    listed = runner.invoke(app, ["sources", "list", "--config", str(site.radar_yaml)])
    assert listed.exit_code == 0, listed.output
    for name in ("demo-forum", "demo-telegram", "drifted-board"):
        assert name in listed.output

    good = runner.invoke(app, ["sources", "check", "demo-forum", "--config", str(site.radar_yaml)])
    assert good.exit_code == 0, good.output
    assert "demo-forum (listing): 3 page(s) fetched" in good.output  # the first listing page and 2 adverts
    assert "ok    links" in good.output and "ok    fields.body" in good.output
    # A check stores nothing and remembers nothing.
    assert site.spooled() == {}
    assert not (site.data / "state" / "crawl" / "demo-forum.json").exists()

    bad = runner.invoke(app, ["sources", "check", "drifted-board", "--config", str(site.radar_yaml)])
    assert bad.exit_code == 1
    assert "DRIFT links" in bad.output and "/bad/drift/" in bad.output


def test_crawl_stage_crawls_every_enabled_source(make_site: Callable[..., Any]) -> None:
    site = make_site(demo_sources=("feed", "telegram"))
    counts = run_crawl_stage(site.radar_yaml)
    demo = site.demo
    expected = (
        len(demo.entries_of("feed")) + len(demo.entries_of("boza_express")) + len(demo.entries_of("docs_vip"))
    )
    assert counts == {"crawled": expected, "enriched": expected, "failed sources": 0}
    assert len(site.spooled()) == expected


def test_a_crawl_process_listens_on_no_port(make_site: Callable[..., Any]) -> None:
    site = make_site(DRIFTED, demo_sources=())
    command = crawl_command("listing", "slow-page", site.radar_yaml, {"ENRICH_ENABLED": False})
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawlers.settings")
    child = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not any(r.path.startswith("/bad/slow") for r in site.demo.requests):
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            assert time.monotonic() < deadline, "the crawl never reached the slow page"
            time.sleep(0.1)
        # The crawl is in full swing (waiting for the slow page): no socket of it may listen.
        assert socket_inodes(child.pid)
        assert not socket_inodes(child.pid) & tcp_inodes(LISTEN)
    finally:
        child.terminate()
        child.wait(timeout=30)
        if child.stderr:
            child.stderr.close()
