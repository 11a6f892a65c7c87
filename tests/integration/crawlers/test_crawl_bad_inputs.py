"""Bad input never crashes a crawl: each case ends as an advert, an error of its kind, or a
drift warning naming source, URL and selector — and the run report says which."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.sites.demoweb.bad_inputs import CHARSET_TEXT, CHARSET_TITLE

BAD_PAGES = """
sources:
  - name: bad-pages
    kind: listing
    start_urls:
      - DEMO/bad/malformed
      - DEMO/bad/charset?mode=wrong
      - DEMO/bad/charset?mode=missing
      - DEMO/bad/charset?mode=meta
      - DEMO/bad/binary
      - DEMO/bad/huge?bytes=3000000
      - DEMO/bad/huge?bytes=3000000&chunked=1
      - DEMO/bad/slow?seconds=8
      - DEMO/bad/status/500
      - DEMO/bad/status/404
      - DEMO/bad/flaky?key=bad-pages&fail=1
    selectors:
      item: "xpath://body"
      fields:
        title: "h1.post-title::text"
        body: "div.post-body, p.flaky"
  - name: drifted-board
    kind: listing
    start_urls: [DEMO/bad/drift/]
    selectors:
      links: "li.thread a.thread-title::attr(href)"
      next: "a.next[rel=next]::attr(href)"
      fields:
        title: "h1.post-title::text"
        body: "div.post-body"
"""


def test_each_bad_response_is_survived_and_reported(make_site: Callable[..., Any]) -> None:
    site = make_site(BAD_PAGES, demo_sources=())
    outcome = site.crawl(
        "listing", "bad-pages", DOWNLOAD_MAXSIZE=1_000_000, DOWNLOAD_TIMEOUT=2, RETRY_TIMES=1
    )
    report = outcome.report
    assert report["finish_reason"] == "finished"
    assert report["errors"] == {
        "binary": 1,  # PNG noise labelled text/html: never parsed
        "too_large": 2,  # with and without Content-Length, over DOWNLOAD_MAXSIZE
        "timeout": 1,  # /bad/slow, after one retry
        "http_500": 1,  # after one retry
        "http_404": 1,
    }
    items = {item["url"].split("#")[0].removeprefix(site.demo.url): item for item in site.spooled().values()}
    assert set(items) == {
        "/bad/malformed",
        "/bad/charset?mode=wrong",
        "/bad/charset?mode=missing",
        "/bad/charset?mode=meta",
        "/bad/flaky?key=bad-pages&fail=1",
    }
    # Broken markup still gives its text.
    assert "Crossing next week" in items["/bad/malformed"]["text"]
    # windows-1256 text decoded right whether the header lies, says nothing, or only <meta> tells.
    for mode in ("wrong", "missing", "meta"):
        item = items[f"/bad/charset?mode={mode}"]
        assert item["text"] == CHARSET_TEXT and item["title"] == CHARSET_TITLE, mode
    charset_notes = [note for note in report["notes"] if note["kind"] == "charset"]
    assert len(charset_notes) >= 1
    # 503 once, then fine: the retry (with its pause) got it.
    assert "Worked on attempt 2" in items["/bad/flaky?key=bad-pages&fail=1"]["text"]
    assert report["adverts"]["new"] == 5


def test_selector_drift_is_reported_with_source_url_and_selector(make_site: Callable[..., Any]) -> None:
    site = make_site(BAD_PAGES, demo_sources=())
    outcome = site.crawl("listing", "drifted-board")
    report = outcome.report
    assert report["finish_reason"] == "finished" and report["adverts"]["new"] == 0
    drift = report["drift"]
    assert [d["selector"] for d in drift] == ["links"]
    assert drift[0]["query"] == "css:li.thread a.thread-title::attr(href)"
    assert drift[0]["urls"] == [f"{site.demo.url}/bad/drift/"]
    line = next(line for line in outcome.log.splitlines() if "selector drift" in line)
    assert "drifted-board" in line and "li.thread a.thread-title" in line and "/bad/drift/" in line
