"""Cheaper ways the crawl process does Scrapy's and its own per-page work must give the same results.

Each speed-up is checked against the straightforward way it replaced: the request fingerprints
against Scrapy's own, an advert page's document against the one Scrapy's selector builds, the
readable text of an element against a line-by-line reading (on generated markup full of the
awkward cases), the stats and log settings against what Scrapy keeps and shows, and the run report's page
count against Scrapy's own counts.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Iterator

import pytest
from lxml import etree, html  # type: ignore[import-untyped]
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.request import fingerprint

from crawlers.extract import read_fields
from crawlers.fingerprints import CanonicalUrlFingerprinter
from crawlers.report import RunReportExtension
from crawlers.source_settings import skip_unlogged_scrapy_records
from crawlers.stats import LeanStatsCollector
from crawlers.text import BLOCKS, SKIPPED, element_text, html_fragment_text
from radar.config.sources import FieldSelectors

# -- request fingerprints ----------------------------------------------------------------------


def test_fingerprints_are_scrapys_own() -> None:
    fingerprinter = CanonicalUrlFingerprinter()
    requests = [
        Request(url)
        for url in (
            "http://board.example/ad/7",
            "http://board.example/list?page=2&sort=new",
            "http://board.example/list?sort=new&page=2",
            "HTTP://Board.Example:80/ad/7#contact",
            "https://board.example/إعلان/٣?q=مهرب&x=1",
            "https://board.example/a%20b/'quote'\"",
            "http://[::1]:8080/ad?b=2&a=1&a=0",
        )
    ]
    requests += [
        Request("http://board.example/ad/7", method="POST", body=b"x=1"),
        Request("http://board.example/ad/7", method="HEAD"),
        Request("http://board.example/ad/7#frag", meta={"verbatim_url": True}),
    ]
    for request in requests:
        assert fingerprinter.fingerprint(request) == fingerprint(request), request
    # The duplicate filter still tells pages apart and finds the same page however it is written.
    assert fingerprinter.fingerprint(requests[1]) == fingerprinter.fingerprint(requests[2])
    assert fingerprinter.fingerprint(requests[0]) != fingerprinter.fingerprint(requests[-3])


# -- stats and logs ------------------------------------------------------------------------------


def test_the_project_uses_the_lean_stats_and_fingerprints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    settings = get_project_settings()
    assert settings["STATS_CLASS"] == "crawlers.stats.LeanStatsCollector"
    assert settings["REQUEST_FINGERPRINTER_CLASS"] == "crawlers.fingerprints.CanonicalUrlFingerprinter"


class _Crawler:
    settings = Settings({"STATS_DUMP": False})
    spider = None


def test_lean_stats_keep_scrapys_stats() -> None:
    stats = LeanStatsCollector(_Crawler())  # type: ignore[arg-type]
    stats.inc_value("report/pages_fetched")
    stats.inc_value("report/pages_fetched", 2, spider=None)
    stats.set_value("start", 1)
    stats.max_value("peak", 3)
    stats.max_value("peak", 2)
    stats.min_value("low", 3)
    stats.min_value("low", 1)
    assert stats.get_stats() == {"report/pages_fetched": 3, "start": 1, "peak": 3, "low": 1}
    assert stats.get_value("missing", 0) == 0


@pytest.fixture
def scrapy_logger_level() -> Iterator[None]:
    logger = logging.getLogger("scrapy")
    before = logger.level
    yield
    logger.setLevel(before)


@pytest.mark.usefixtures("scrapy_logger_level")
@pytest.mark.parametrize(
    ("setting", "level"), [("WARNING", logging.WARNING), ("info", logging.INFO), (10, 10)]
)
def test_scrapy_records_below_the_log_level_are_not_built(setting: object, level: int) -> None:
    skip_unlogged_scrapy_records(Settings({"LOG_LEVEL": setting}))
    engine = logging.getLogger("scrapy.core.engine")
    assert engine.getEffectiveLevel() == level
    assert engine.isEnabledFor(level) and not engine.isEnabledFor(level - 1)


# -- an advert page's document -------------------------------------------------------------------

FIELDS = FieldSelectors.model_validate(
    {
        "title": "h1::text",
        "body": "div.body",
        "posted": "time::attr(datetime)",
        "author": ".author::text",
        "price": "xpath://span[@class='price']/text()",
    }
)
PAGES = [
    "<html><head><meta charset='utf-8'><base href='http://elsewhere.example/'></head><body>"
    "<h1>Boat   trip</h1><span class='author'>@smuggler</span><time datetime='2026-10-03'>x</time>"
    "<span class='price'>3000 €</span><div class='body'><p>line one<br>line two</p>"
    "<a href='/contact'>chat</a><script>x()</script><p>ضمان ١٠٠٪ 😀</p></div></body></html>",
    "\n\n   <h1>no html element</h1><div class='body'>text\x00with a null</div>   \n",
    "",
    "<div class='body'><p>unclosed <b>bold<div>nested</p></span></div>",
    "<?xml version='1.0'?><html><body><div class='body'>xml declared</div></body></html>",
]


@pytest.mark.parametrize("markup", PAGES)
@pytest.mark.parametrize("encoding", ["utf-8", "cp1256"])
def test_an_advert_page_reads_as_through_scrapys_selector(markup: str, encoding: str) -> None:
    body = markup.encode(encoding, errors="replace")
    fresh = HtmlResponse("http://board.example/ad/1", body=body, encoding=encoding)
    selected = HtmlResponse("http://board.example/ad/1", body=body, encoding=encoding)
    assert selected.selector.root is not None  # this one parses through Scrapy's selector
    assert read_fields(fresh, FIELDS, fresh.url) == read_fields(selected, FIELDS, selected.url)
    assert fresh._cached_selector is None  # and this one did not need it


# Fields whose XPath uses parsel's EXSLT functions (compiled with its namespaces) next to plain ones.
EXSLT_FIELDS = FieldSelectors.model_validate(
    {
        "title": "xpath://h1[re:test(., 'trip', 'i')]/text()",
        "body": "div.body",
        "author": "xpath:set:distinct(//span/@class)",
    }
)


@pytest.mark.parametrize("markup", PAGES[:1])
def test_fields_using_exslt_read_as_through_scrapys_selector(markup: str) -> None:
    fresh = HtmlResponse("http://board.example/ad/1", body=markup.encode(), encoding="utf-8")
    selected = HtmlResponse("http://board.example/ad/1", body=markup.encode(), encoding="utf-8")
    assert selected.selector.root is not None
    found = read_fields(fresh, EXSLT_FIELDS, fresh.url)
    assert found == read_fields(selected, EXSLT_FIELDS, selected.url)
    assert found.title == "Boat trip" and found.author == "author"


def test_str_split_folds_exactly_what_the_whitespace_regex_matches() -> None:
    """``element_text`` and the text hash fold whitespace with ``str.split()`` instead of ``\\s+``."""
    whitespace = re.compile(r"\s")
    assert all(bool(whitespace.match(chr(c))) == chr(c).isspace() for c in range(0x110000))


# -- readable text -----------------------------------------------------------------------------


def _reference_text(element: etree._Element) -> str:
    """The plain reading: every piece flattened on its own, then each line tidied."""
    parts: list[str] = []

    def walk(node: etree._Element, root: bool) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        name = tag.lower().rpartition("}")[2]
        if tag and name not in SKIPPED:
            block = name in BLOCKS and not root
            parts.append("\n" if name == "br" else "\n\n" if block else "")
            parts.append(re.sub(r"\s+", " ", node.text or ""))
            for child in node:
                walk(child, False)
            parts.append("\n\n" if block else "")
        if not root:
            parts.append(re.sub(r"\s+", " ", node.tail or ""))

    walk(element, True)
    lines = [
        re.sub(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+", " ", line).strip()
        for line in "".join(parts).split("\n")
    ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


TAGS = [
    *("p", "div", "span", "b", "br", "li", "ul", "script"),
    *("style", "h1", "td", "tr", "pre", "X-Tag", "template"),
]
SPACES = [" ", "  ", "\n", "\r\n", "\t", "\u00a0", "\u2003", "\u3000", "\x1c", "\u2028", "\x85", "\u200b", ""]
WORDS = ["a", "bb", "ጣሊያን", "😀", "€5", "&amp;", "&nbsp;", "<!-- note -->", "<?pi x?>", "٣٠٠٠"]


def _markup(rng: random.Random, depth: int = 0) -> str:
    out = []
    for _ in range(rng.randint(0, 4)):
        out.append(rng.choice(SPACES))
        tag = rng.choice(TAGS)
        if rng.random() < 0.45 and depth < 5:
            out.append("<br>" if tag == "br" else f"<{tag}>{_markup(rng, depth + 1)}</{tag}>")
        else:
            out.append(rng.choice(WORDS))
        out.append(rng.choice(SPACES))
    return "".join(out)


def test_element_text_reads_like_the_plain_reading_on_generated_markup() -> None:
    rng = random.Random(20261129)  # noqa: S311 (reproducible test markup)
    compared = 0
    for _ in range(3000):
        markup = _markup(rng)
        root = html.fromstring(f"<html><body><div>{markup}</div></body></html>".encode())
        for element in root.iter():
            if isinstance(element.tag, str):
                assert element_text(element) == _reference_text(element), markup
                compared += 1
        fragment = html_fragment_text(markup)
        assert "\x00" not in fragment
    assert compared > 15_000


# -- the run report's page count -----------------------------------------------------------------


class _ReportCrawler:
    settings = Settings({})

    def __init__(self) -> None:
        self.stats = LeanStatsCollector(_Crawler())  # type: ignore[arg-type]


def test_pages_fetched_are_scrapys_responses_but_robots_txt() -> None:
    crawler = _ReportCrawler()
    report = RunReportExtension(crawler)
    for _ in range(5):
        crawler.stats.inc_value("response_received_count")  # what Scrapy's CoreStats counts
    crawler.stats.inc_value("robotstxt/response_count")  # what its RobotsTxtMiddleware counts
    assert report.pages_fetched(crawler.stats.get_stats()) == 4
    assert report.pages_fetched({}) == 0
