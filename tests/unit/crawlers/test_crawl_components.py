"""Crawler components on their own: state between runs, evidence files and their verification,
selectors and drift, charset repair, Telegram quirks, and the pipelines' store-then-remember rule."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from parsel import Selector as Page
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import HtmlResponse
from scrapy.settings import Settings

from crawlers.decoding import inspect
from crawlers.evidence.store import EvidenceStore
from crawlers.evidence.verify import verify
from crawlers.extract import DriftTracker, first_text, joined_text, read_fields, select
from crawlers.items import Advert, Capture
from crawlers.pipelines.enrich import EnrichPipeline, EnrichSettings
from crawlers.pipelines.evidence import EvidencePipeline, EvidenceSettings
from crawlers.pipelines.spool import SpoolPipeline, SpoolSettings
from crawlers.spiders.telegram import unquirk, views_of
from crawlers.state import SourceLock, SourceState, Validators
from radar.config.sources import FieldSelectors
from radar.errors import RadarError
from tests.unit.crawlers.spool_doubles import RecordingSpider

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_state_round_trip_and_corrupt_file_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "crawl" / "demo.json"
    state = SourceState(path, seen={"demo:a": ""}, high_water={"boza_express": 1423})
    state.validators["http://x.example/"] = Validators('"abc"', "Sat, 03 Oct 2026 14:20:00 GMT")
    state.save()
    again = SourceState.load(path)
    assert again.seen == {"demo:a": ""} and again.high_water == {"boza_express": 1423}
    assert again.validators["http://x.example/"].etag == '"abc"'
    path.write_text("{not json", encoding="utf-8")
    fresh = SourceState.load(path)
    assert fresh.seen == {} and not path.exists()
    assert len(list(path.parent.glob("demo.json.corrupt-*"))) == 1


def test_one_crawl_per_source_at_a_time(tmp_path: Path) -> None:
    first = SourceLock(tmp_path, "demo-forum")
    first.acquire()
    with pytest.raises(RadarError, match="SR-E402: source 'demo-forum' is being crawled by another process"):
        SourceLock(tmp_path, "demo-forum").acquire()
    first.release()
    second = SourceLock(tmp_path, "demo-forum")
    second.acquire()
    second.release()


def _capture(body: bytes = b"<html><body>advert</body></html>", screenshot: bytes | None = None) -> Capture:
    return Capture(
        "http://127.0.0.1:8950/s/boza_express",
        200,
        [("Content-Type", "text/html")],
        body,
        NOW,
        False,
        screenshot,
    )


def test_evidence_is_written_hashed_and_verified(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path, "demo-telegram")
    references = store.save(_capture(screenshot=b"\x89PNG\r\n\x1a\nfake"))
    assert [r["kind"] for r in references] == ["warc", "screenshot"]
    for reference in references:
        data = (tmp_path / reference["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == reference["sha256"]
        assert reference["captured_at"] == "2026-11-28T12:00:00Z"
        assert reference["path"].startswith("demo-telegram/2026-11-28/")
    assert verify(tmp_path).ok and verify(tmp_path).checked == 2

    warc = tmp_path / references[0]["path"]
    warc.write_bytes(warc.read_bytes() + b"x")
    (tmp_path / references[1]["path"]).unlink()
    (tmp_path / "demo-telegram" / "planted.txt").write_text("not ours")
    report = verify(tmp_path)
    assert not report.ok
    assert [f.path for f in report.by_status("changed")] == [references[0]["path"]]
    assert [f.path for f in report.by_status("missing")] == [references[1]["path"]]
    assert [f.path for f in report.by_status("unrecorded")] == ["demo-telegram/planted.txt"]


def test_bad_manifest_line_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "manifest.jsonl").write_text('{"path": "src/a"}\nnot json\n', encoding="utf-8")
    report = verify(tmp_path)
    assert [f.path for f in report.by_status("bad_manifest_line")] == [
        "src/manifest.jsonl:1",
        "src/manifest.jsonl:2",
    ]
    assert not report.ok


def test_fields_and_drift() -> None:
    fields = FieldSelectors.model_validate(
        {
            "title": "h1::text",
            "body": "div.body",
            "posted": "time[datetime]::attr(datetime), .date:not([datetime])::text",
            "price": "xpath://span[@class='price']/text()",
            "location": ".nowhere::text",
        }
    )
    page = Page(
        text="<h1> Trip </h1><span class='date'>2 days ago</span><span class='price'>3000 €</span>"
        "<div class='body'>line one<br>line two <a href='/contact'>x</a></div>"
    )
    found = read_fields(page, fields, "http://board.example/ad/1")
    assert (found.title, found.body, found.posted, found.price) == (
        "Trip",
        "line one\nline two x",
        "2 days ago",
        "3000 €",
    )
    assert found.outlinks == ["http://board.example/contact"] and found.missing == ["location"]
    tracker = DriftTracker()
    tracker.fields_tried(fields, found, "http://board.example/ad/1")
    tracker.fields_tried(
        fields, read_fields(Page(text="<p>redesigned</p>"), fields, "http://b/2"), "http://b/2"
    )
    drifting = {d["selector"]: d for d in tracker.warnings()}
    # body is required: one miss is drift; location never matched anywhere; title matched once.
    assert set(drifting) == {"fields.body", "fields.location"}
    assert (
        drifting["fields.body"]["urls"] == ["http://b/2"]
        and drifting["fields.body"]["query"] == "css:div.body"
    )


def test_fields_read_alike_from_a_response_and_from_a_block() -> None:
    """read_fields queries lxml directly; what it reads must be what the selectors (parsel) match."""
    fields = FieldSelectors.model_validate(
        {
            "title": "xpath:.//h2/text()",
            "body": ".text, p.extra",
            "author": "xpath:.//span[@data-user]/@data-user",
            "price": "xpath:string(.//b)",
            "permalink": "a.perma::attr(href)",
        }
    )
    markup = (
        "<html><body><article><h2>  Boat   trip </h2><div class='text'>one<br>two<script>x()</script>"
        "<a href='https://t.me/joinchat/abc'>chat</a></div><p class='extra'>three</p>"
        "<span data-user='@smuggler'></span><b>3 000 €</b><a class='perma' href='/ad/7#top'>#</a>"
        "</article><article><h2>Second</h2><div class='text'>four</div></article></body></html>"
    )
    response = HtmlResponse("http://board.example/list", body=markup.encode(), encoding="utf-8")
    first_block = response.css("article")[0]
    for scope in (response, first_block):
        found = read_fields(scope, fields, response.url)
        assert found.body == joined_text(select(scope, fields.body))
        assert found.title == first_text(select(scope, fields.title)) == "Boat trip"
        assert (found.author, found.price) == ("@smuggler", "3 000 €")
        assert found.permalink == "http://board.example/ad/7#top"
        assert found.outlinks == ["https://t.me/joinchat/abc"] and found.missing == []
    assert read_fields(first_block, fields, response.url).body == "one\ntwochat\n\nthree"
    second = read_fields(response.css("article")[1], fields, response.url)
    assert (second.title, second.body, second.author) == ("Second", "four", None)
    assert second.missing == ["author", "price", "permalink"]


def test_charset_repair_and_binary_detection() -> None:
    text = "<html><body><p>السعر 3000 يورو</p></body></html>"
    lying = HtmlResponse(
        "http://x.example/", body=text.encode("cp1256"), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    inspected = inspect(lying)
    assert inspected.problem == "charset_repaired" and inspected.response is not None
    assert "السعر 3000 يورو" in inspected.response.text
    binary = HtmlResponse("http://x.example/", body=b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert inspect(binary).problem == "binary" and inspect(binary).response is None
    honest = HtmlResponse("http://x.example/", body=text.encode(), encoding="utf-8")
    assert inspect(honest).problem is None


def test_telegram_quirks() -> None:
    assert unquirk("https://wa.me/123?text=hi&amp;lang=ar") == "https://wa.me/123?text=hi&lang=ar"
    assert unquirk("https://example.org/a?b=1&c=2") == "https://example.org/a?b=1&c=2"
    assert [views_of(v) for v in ("987", "1.2K", "15.3K", "1.1M", "", "n/a")] == [
        987,
        1200,
        15300,
        1100000,
        None,
        None,
    ]


class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, amount: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + amount


class _Crawler:
    def __init__(self) -> None:
        self.spider = RecordingSpider()
        self.stats = _Stats()


def _advert(capture: Capture | None = None) -> Advert:
    return Advert(
        id="demo:1",
        source="demo",
        kind="telegram",
        url="http://x/1",
        fetched_at=NOW,
        text="t",
        capture=capture,
    )


def test_pipelines_switch_off_by_setting() -> None:
    for pipeline, settings in (
        (EnrichPipeline, EnrichSettings(False)),
        (EvidencePipeline, EvidenceSettings(False, Path("/nonexistent"))),
        (SpoolPipeline, SpoolSettings(False, Path("/nonexistent"))),
    ):
        with pytest.raises(NotConfigured):
            pipeline(settings)  # type: ignore[arg-type]
    assert SpoolSettings.from_settings(
        Settings({"SPOOL_ENABLED": True, "SPOOL_PATH": "/s.sqlite"})
    ).path == Path("/s.sqlite")


def test_spool_stores_then_remembers_and_a_failure_drops_with_reason(tmp_path: Path) -> None:
    from indexer.spool import Spool

    pipeline = SpoolPipeline(SpoolSettings(True, tmp_path / "spool.sqlite"))
    pipeline.crawler = _Crawler()
    pipeline.open_spider()
    asyncio.run(pipeline.process_item(_advert()))
    assert pipeline.crawler.spider.stored == ["demo:1"]
    asyncio.run(pipeline.close_spider())
    with Spool(tmp_path / "spool.sqlite") as spool:
        (entry,) = spool.lease(10)
    assert entry.item["id"] == "demo:1" and entry.item["text"] == "t"

    broken = SpoolPipeline(SpoolSettings(True, tmp_path / "other.sqlite"))
    broken.crawler = _Crawler()
    broken.open_spider()
    broken.spool.close()  # a spool that cannot take the item
    with pytest.raises(DropItem, match="spool_failed: demo:1"):
        asyncio.run(broken.process_item(_advert()))
    assert broken.crawler.spider.failed == ["demo:1"] and broken.crawler.spider.stored == []


def test_evidence_pipeline_writes_a_shared_capture_once(tmp_path: Path) -> None:
    pipeline = EvidencePipeline(EvidenceSettings(True, tmp_path))
    pipeline.stats = _Stats()
    capture = _capture()
    first, second = _advert(capture), _advert(capture)
    asyncio.run(pipeline.process_item(first))
    asyncio.run(pipeline.process_item(second))
    assert first.evidence == second.evidence and len(first.evidence) == 1
    lines = (tmp_path / "demo" / "manifest.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["url"] == capture.url
    assert pipeline.stats.values == {"report/evidence_files": 1}
