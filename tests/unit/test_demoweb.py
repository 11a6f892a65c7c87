"""The demo web serves each kind of source faithfully, steers as tests need, and leaks no labels.

Every test starts a real server on 127.0.0.1 and a free port and talks to it over HTTP.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

import pytest
from parsel import Selector
from typer.testing import CliRunner

from radar.cli import app
from radar.errors import RadarError
from tests.sites.demoweb import CorpusEntry, CorpusError, DemoWeb, default_corpus_files, load_corpus
from tests.sites.demoweb.bad_inputs import CHARSET_TEXT

MINI = Path(__file__).resolve().parents[1] / "sites" / "fixtures" / "mini_corpus.yaml"
# Never through a proxy: these requests must reach our own 127.0.0.1 server and nothing else.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_NO_REDIRECT_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


@dataclass
class Fetched:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def sel(self) -> Selector:
        return Selector(text=self.text)


def _parse_xml(body: bytes) -> ET.Element:
    """Parse XML our own server wrote (the input is not untrusted, hence no defusedxml)."""
    return ET.fromstring(body)  # noqa: S314


def fetch(
    url: str, headers: dict[str, str] | None = None, *, follow: bool = True, timeout: float = 10
) -> Fetched:
    request = urllib.request.Request(url, headers=headers or {})
    opener = _OPENER if follow else _NO_REDIRECT_OPENER
    try:
        with opener.open(request, timeout=timeout) as response:
            return Fetched(response.status, response.headers, response.read())
    except urllib.error.HTTPError as e:
        with e:
            return Fetched(e.code, e.headers, e.read())


@pytest.fixture(scope="module")
def entries() -> list[CorpusEntry]:
    return load_corpus([MINI])


@pytest.fixture
def demo(entries: list[CorpusEntry]) -> Iterator[DemoWeb]:
    with DemoWeb(entries, forum_page_size=1, telegram_page_size=2, js_page_size=1) as web:
        yield web


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- corpus ----------------------------------------------------------------------------------------


def test_mini_corpus_loads_typed_entries(entries: list[CorpusEntry]) -> None:
    assert len(entries) == 10
    first = entries[0]
    assert first.id == "ar-901"
    assert first.posted == datetime(2026, 10, 3, 14, 20, tzinfo=UTC)
    assert first.posted_display == "منذ يومين"
    assert first.labels["route"] == {"origin": "LY", "transit": [], "destination": "IT"}
    assert first.source.endswith("mini_corpus.yaml")
    assert first.line == 5


def test_corpus_errors_name_file_line_and_entry(tmp_path: Path) -> None:
    bad = tmp_path / "adverts_bad.yaml"
    bad.write_text(
        "- id: xx-001\n  lang: en\n  relevant: maybe\n  channel: radio\n  text: hi\n  author: a\n"
        '  posted: "yesterday"\n  labels: {}\n  colour: red\n'
        "- id: xx-001\n  lang: en\n  relevant: true\n  channel: forum\n  text: hi\n  author: a\n"
        '  posted: "2026-10-01T10:00:00Z"\n  labels: {}\n',
        encoding="utf-8",
    )
    with pytest.raises(CorpusError) as caught:
        load_corpus([bad])
    message = str(caught.value)
    assert message.startswith("SR-E303: the demo corpus is invalid:")
    assert f"{bad}:1: xx-001: unknown key 'colour'" in message
    assert f"{bad}:1: xx-001: relevant must be true or false" in message
    assert f"{bad}:1: xx-001: channel 'radio' is not one of forum, telegram, feed, sitemap, js" in message
    assert f"{bad}:1: xx-001: posted 'yesterday' is not an ISO date-time" in message
    assert f"{bad}:10: xx-001: a forum entry needs a title" in message
    with pytest.raises(CorpusError, match=r"missing\.yaml: file not found"):
        load_corpus([tmp_path / "missing.yaml"])


def test_duplicate_ids_across_files_are_reported(tmp_path: Path) -> None:
    one = "id: dup-1\n  lang: en\n  relevant: true\n  channel: js\n  title: t\n  text: x\n  author: a\n"
    rest = '  posted: "2026-10-01T10:00:00Z"\n  labels: {}\n'
    (tmp_path / "a.yaml").write_text(f"- {one}{rest}", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(f"- {one}{rest}", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"b\.yaml:1: dup-1: duplicate id \(first at .*a\.yaml:1\)"):
        load_corpus([tmp_path / "a.yaml", tmp_path / "b.yaml"])


# -- placements and ground truth -------------------------------------------------------------------


def test_telegram_entries_split_by_content(demo: DemoWeb) -> None:
    assert demo.placement("en-900").source == "docs_vip"  # documents offer
    assert demo.placement("tr-900").source == "boza_express"  # crossing
    assert demo.placement("ar-914").source == "boza_express"
    assert demo.placement("nl-923").source == "boza_express"  # first decoy
    # Message ids grow with the posting time within a channel.
    boza = [demo.placement(i) for i in ("tr-900", "ar-914", "nl-923")]
    assert [p.number for p in boza] == sorted(p.number for p in boza)
    assert boza[0].data_post == f"boza_express/{boza[0].number}"


def test_ground_truth_maps_urls_back_to_entries(demo: DemoWeb, entries: list[CorpusEntry]) -> None:
    for entry in entries:
        url = demo.url_for(entry.id)
        assert url.startswith(demo.url + "/")
        found = demo.ground_truth_for(url)
        assert found is not None and found.id == entry.id
    post = demo.placement("en-900").data_post
    assert post is not None
    assert demo.entry_id_for(post) == "en-900"
    assert demo.entry_id_for(f"https://t.me/{post}") == "en-900"  # whatever the host
    assert demo.ground_truth_for(demo.url + "/forum/") is None
    assert set(demo.url_map().values()) == {e.id for e in entries}


# -- forum -----------------------------------------------------------------------------------------


def test_forum_listing_is_paginated_newest_first(demo: DemoWeb) -> None:
    first = fetch(demo.url + "/forum/")
    assert first.status == 200
    links = first.sel.css("li.thread a.thread-title::attr(href)").getall()
    assert [demo.entry_id_for(link) for link in links] == ["en-901"]
    next_page = first.sel.css("a.next[rel=next]::attr(href)").get()
    assert next_page == "/forum/?page=2"
    second = fetch(demo.url + next_page)
    assert [demo.entry_id_for(x) for x in second.sel.css("a.thread-title::attr(href)").getall()] == ["ar-901"]
    assert second.sel.css("a.next").get() is None
    assert fetch(demo.url + "/forum/?page=3").status == 404
    # The forum's own chrome is there too: navigation, sidebar adverts, reply counts.
    assert first.sel.css("nav.main-nav a")
    assert first.sel.css("aside.sidebar .sponsored")
    assert re.fullmatch(r"\d+ replies", first.sel.css(".thread-replies::text").get() or "")


def test_forum_advert_page_shows_what_a_board_shows(demo: DemoWeb) -> None:
    page = fetch(demo.url_for("ar-901")).sel
    assert page.css("h1.post-title::text").get() == "رحلات بحرية من زوارة الى لامبيدوزا 🚤"
    assert page.css("h1.post-title::attr(dir)").get() == "rtl"
    assert page.css("div.post-body::attr(lang)").get() == "ar"
    assert page.css(".post-author .username::text").get() == "abu_salem"
    # A relative date is shown as written, without a machine-readable datetime.
    assert page.css(".post-date::text").get() == "منذ يومين"
    assert page.css(".post-date::attr(datetime)").get() is None
    assert page.css(".field-location .value::text").get() == "زوارة"
    assert page.css(".field-price .value::text").get() == "٣٥٠٠ يورو"
    assert page.css("div.post-body p br")  # line breaks kept
    assert "\n".join(page.css("div.post-body p ::text").getall()).startswith("رحلات يومية")
    assert re.fullmatch(r"\d+ comments", page.css(".comments-count::text").get() or "")

    english = fetch(demo.url_for("en-901")).sel
    assert english.css("time.post-date::attr(datetime)").get() == "2026-10-05T09:00:00Z"
    assert english.css("h1.post-title::attr(dir)").get() is None
    assert english.css(".field-price .value::text").get() == "800 dollars"


# -- telegram --------------------------------------------------------------------------------------


def _posts(page: Selector) -> list[str]:
    return page.css("div.tgme_widget_message::attr(data-post)").getall()


def test_telegram_preview_structure_and_load_older(demo: DemoWeb) -> None:
    tr, ar, nl = (demo.placement(i) for i in ("tr-900", "ar-914", "nl-923"))
    latest = fetch(demo.url + "/s/boza_express")
    assert latest.status == 200
    page = latest.sel
    assert _posts(page) == [ar.data_post, nl.data_post]  # newest last
    more = page.css("a.tme_messages_more")
    assert more.attrib["data-before"] == str(ar.number)
    assert more.attrib["href"] == f"/s/boza_express?before={ar.number}"
    assert page.css("link[rel=prev]::attr(href)").get() == more.attrib["href"]

    times = page.css(".tgme_widget_message_date time::attr(datetime)").getall()
    assert times == ["2026-09-20T21:10:00+00:00", "2026-10-01T07:30:00+00:00"]
    assert all(re.fullmatch(r"[\d.]+K?", v) for v in page.css(".tgme_widget_message_views::text").getall())

    forwarded = page.css(f'div[data-post="{ar.data_post}"] .tgme_widget_message_forwarded_from')
    assert forwarded.css(".tgme_widget_message_forwarded_from_name span::text").get() == "sahil_boats"
    reply = page.css(f'div[data-post="{nl.data_post}"] a.tgme_widget_message_reply')
    assert reply.attrib["href"] == f"{demo.url}/boza_express/{ar.number}"
    text = page.css(f'div[data-post="{ar.data_post}"] .tgme_widget_message_text')
    assert text.css("br")
    assert text.css("i.emoji b::text").getall() == ["🌲", "🌲"]
    assert text.css("a::attr(href)").get() == f"{demo.url}/boza_admin"  # @mention, t.me played by us

    older = fetch(demo.url + more.attrib["href"]).sel
    assert _posts(older) == [tr.data_post]
    assert older.css("a.tme_messages_more[data-before]").get() is None
    assert older.css("a.tme_messages_more::attr(data-after)").get() == str(tr.number)
    assert older.css("a.tgme_widget_message_photo_wrap")  # a photo with its caption below
    assert "Edirne" in "".join(older.css(".tgme_widget_message_text ::text").getall())

    newer = fetch(f"{demo.url}/s/boza_express?after={tr.number}").sel
    assert _posts(newer) == [ar.data_post, nl.data_post]


def test_link_previews_carry_double_escaped_ampersands(demo: DemoWeb) -> None:
    nl = demo.placement("nl-923")
    raw = fetch(demo.url + "/s/boza_express").text
    assert 'href="https://nieuws.example/artikel?id=42&amp;amp;bron=tg"' in raw
    preview = Selector(text=raw).css(f'div[data-post="{nl.data_post}"] a.tgme_widget_message_link_preview')
    assert preview.attrib["href"] == "https://nieuws.example/artikel?id=42&amp;bron=tg"
    # The link in the message text itself is escaped correctly.
    text_link = Selector(text=raw).css(f'div[data-post="{nl.data_post}"] .tgme_widget_message_text a')
    assert text_link.attrib["href"] == "https://nieuws.example/artikel?id=42&bron=tg"


def test_channel_without_preview_redirects_and_empty_channel_is_empty(demo: DemoWeb) -> None:
    moved = fetch(demo.url + "/s/private_group", follow=False)
    assert moved.status == 302
    assert moved.headers["Location"] == f"{demo.url}/private_group"
    info = fetch(demo.url + "/s/private_group")  # following it lands on the info page
    assert info.status == 200
    assert info.sel.css(".tgme_page_title span::text").get() == "Yol Grubu"
    assert not info.sel.css(".tgme_widget_message")
    assert not info.sel.css("a.tgme_action_web_button")  # no "Preview channel"

    empty = fetch(demo.url + "/s/empty_channel")
    assert empty.status == 200
    assert empty.sel.css("section.tgme_channel_history")
    assert not empty.sel.css(".tgme_widget_message")
    assert not empty.sel.css("a.tme_messages_more")
    assert fetch(demo.url + "/s/no_such_channel").status == 404


def test_single_message_page(demo: DemoWeb) -> None:
    placement = demo.placement("en-900")
    page = fetch(demo.url_for("en-900")).sel
    assert _posts(page) == [placement.data_post]
    assert page.css(".tgme_widget_message_text a::text").getall() == [
        "@docs_vip_admin",
        "#documents",
        "#visa",
    ]


# -- feeds and sitemaps ----------------------------------------------------------------------------


def test_rss_and_atom_feeds(demo: DemoWeb) -> None:
    rss = fetch(demo.url + "/feed.xml")
    assert rss.headers["Content-Type"].startswith("application/rss+xml")
    channel = _parse_xml(rss.body).find("channel")
    assert channel is not None
    items = channel.findall("item")
    assert len(items) == 1
    item = items[0]
    assert item.findtext("title") == "Passage Calais → Angleterre <garanti>"
    assert item.findtext("link") == demo.url_for("fr-901")
    assert item.findtext("pubDate") == "Sat, 15 Aug 2026 10:00:00 GMT"
    assert "acompte 500 £ &amp; le reste" in (item.findtext("description") or "")
    assert (
        fetch(item.findtext("link") or "").sel.css("h1.entry-title::text").get()
        == "Passage Calais → Angleterre <garanti>"
    )

    atom = _parse_xml(fetch(demo.url + "/atom.xml").body)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = atom.find("a:entry", ns)
    assert entry is not None
    assert entry.findtext("a:published", namespaces=ns) == "2026-08-15T10:00:00+00:00"
    link = entry.find("a:link", ns)
    assert link is not None and link.get("href") == demo.url_for("fr-901")
    assert (entry.findtext("a:content", namespaces=ns) or "").startswith("Passage garanti de Calais")


def test_sitemap_index_points_to_two_sitemaps(demo: DemoWeb) -> None:
    index = Selector(text=fetch(demo.url + "/sitemap.xml").text, type="xml")
    index.remove_namespaces()
    locs = index.xpath("//sitemap/loc/text()").getall()
    assert locs == [demo.url + "/sitemap-adverts.xml", demo.url + "/sitemap-static.xml"]
    adverts = Selector(text=fetch(locs[0]).text, type="xml")
    adverts.remove_namespaces()
    urls = adverts.xpath("//url/loc/text()").getall()
    assert urls == [demo.url_for("fa-901"), demo.url_for("ar-901"), demo.url_for("en-901")]
    assert adverts.xpath("//url/lastmod/text()").getall()[0] == "2026-11-02T16:00:00+00:00"
    static = Selector(text=fetch(locs[1]).text, type="xml")
    static.remove_namespaces()
    assert static.xpath("//url/loc/text()").getall() == [demo.url + "/about", demo.url + "/contact"]
    page = fetch(urls[0]).sel
    assert page.css("h1.page-title::text").get() == "سفر مطمئن به ترکیه و یونان"
    assert page.css(".page-date::text").get() == "۳ روز پیش"
    # Nothing links to /pages/: only the sitemap leads there.
    for path in ("/", "/forum/", "/feed/", "/js/", "/about"):
        hrefs = fetch(demo.url + path).sel.css("a::attr(href)").getall()
        assert not [href for href in hrefs if "/pages/" in href]


# -- the JavaScript listing ------------------------------------------------------------------------


def test_js_listing_is_empty_without_javascript_and_its_api_pages(demo: DemoWeb) -> None:
    shell = fetch(demo.url + "/js/").sel
    assert shell.css("#adverts").get() is not None
    assert not shell.css("div.advert")
    scripts = shell.css("script")
    assert scripts and all(s.attrib.get("src") == "/static/app.js" for s in scripts)  # no inline script
    assert not shell.css("script::text").getall()
    script = fetch(demo.url + "/static/app.js")
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert b"/api/adverts" in script.body and b"textContent" in script.body

    first = json.loads(fetch(demo.url + "/api/adverts?offset=0").body)
    assert [item["url"] for item in first["items"]] == [demo.placement("ckb-901").path]  # newest first
    assert first["items"][0]["dir"] == "rtl" and first["items"][0]["lang"] == "ckb"
    assert first["next_offset"] == 1 and first["total"] == 2
    last = json.loads(fetch(demo.url + "/api/adverts?offset=1").body)
    assert [demo.entry_id_for(item["url"]) for item in last["items"]] == ["en-902"]
    assert last["next_offset"] is None
    one = json.loads(fetch(demo.url + "/api/adverts/" + demo.placement("en-902").slug).body)
    assert one["title"] == "Boat Libya to Italy - last places this week"
    assert (
        fetch(demo.url_for("en-902")).sel.css("#adverts::attr(data-advert)").get()
        == demo.placement("en-902").slug
    )


# -- home, robots ----------------------------------------------------------------------------------


def test_robots_and_home_page(demo: DemoWeb) -> None:
    robots = fetch(demo.url + "/robots.txt")
    assert robots.headers["Content-Type"].startswith("text/plain")
    assert "User-agent: *\nDisallow: /private/\n" in robots.text
    assert f"Sitemap: {demo.url}/sitemap.xml" in robots.text
    links = set(fetch(demo.url + "/").sel.css("a::attr(href)").getall())
    assert {"/forum/", "/s/boza_express", "/s/docs_vip", "/feed/", "/sitemap.xml", "/js/"} <= links
    assert fetch(demo.url + "/private/area").status == 200  # only robots.txt keeps crawlers out


# -- conditional requests --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/forum/advert/48210", "/feed.xml", "/s/boza_express", "/sitemap-adverts.xml"]
)
def test_conditional_requests_get_304(demo: DemoWeb, path: str) -> None:
    full = fetch(demo.url + path)
    etag, modified = full.headers["ETag"], full.headers["Last-Modified"]
    assert etag and modified
    again = fetch(demo.url + path, {"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    assert again.headers["ETag"] == etag
    assert fetch(demo.url + path, {"If-Modified-Since": modified}).status == 304
    assert fetch(demo.url + path, {"If-None-Match": '"other"'}).status == 200
    assert fetch(demo.url + path, {"If-Modified-Since": "Sat, 01 Aug 2026 00:00:00 GMT"}).status == 200
    # If-None-Match wins over If-Modified-Since.
    assert fetch(demo.url + path, {"If-None-Match": '"other"', "If-Modified-Since": modified}).status == 200


def test_a_change_of_published_adverts_defeats_old_validators(demo: DemoWeb) -> None:
    demo.hide(["fr-901"])
    before = fetch(demo.url + "/feed.xml")
    demo.publish(["fr-901"])  # an old item comes back: the feed changed, its date did not
    assert fetch(demo.url + "/feed.xml", {"If-None-Match": before.headers["ETag"]}).status == 200
    assert fetch(demo.url + "/feed.xml", {"If-Modified-Since": before.headers["Last-Modified"]}).status == 200


# -- publishing ------------------------------------------------------------------------------------


def test_publish_first_then_all_reveals_exactly_the_new_adverts(demo: DemoWeb) -> None:
    demo.publish_first(1)
    assert demo.visible_ids == {"ar-901", "tr-900", "en-900", "fr-901", "fa-901", "en-902"}
    assert _posts(fetch(demo.url + "/s/boza_express").sel) == [demo.placement("tr-900").data_post]
    assert fetch(demo.url_for("en-901")).status == 404
    assert fetch(demo.url + "/forum/").sel.css("a.thread-title::attr(href)").getall() == [
        demo.placement("ar-901").path
    ]
    high_water = demo.placement("tr-900").number

    demo.publish_all()
    new = [p for p in _posts(fetch(demo.url + "/s/boza_express").sel) if int(p.split("/")[1]) > high_water]
    assert [demo.entry_id_for(p) for p in new] == ["ar-914", "nl-923"]
    assert fetch(demo.url_for("en-901")).status == 200


def test_hide_publish_until_and_unknown_ids(demo: DemoWeb) -> None:
    demo.hide(["en-900"])
    assert not demo.is_visible("en-900")
    assert fetch(demo.url_for("en-900")).status == 404
    assert _posts(fetch(demo.url + "/s/docs_vip").sel) == []
    demo.publish_until(datetime(2026, 9, 21, tzinfo=UTC))
    assert demo.visible_ids == {"tr-900", "ar-914", "fr-901"}
    demo.publish_first(0, "js")
    assert json.loads(fetch(demo.url + "/api/adverts").body)["total"] == 0
    with pytest.raises(KeyError, match="no-such-id"):
        demo.publish(["no-such-id"])
    with pytest.raises(KeyError, match="unknown demo web source"):
        demo.publish_first(1, "radio")


def test_head_gives_headers_without_body(demo: DemoWeb) -> None:
    request = urllib.request.Request(demo.url_for("ar-901"), method="HEAD")
    with _OPENER.open(request, timeout=10) as response:
        assert response.status == 200
        assert int(response.headers["Content-Length"]) == len(fetch(demo.url_for("ar-901")).body)
        assert response.read() == b""


# -- request log -----------------------------------------------------------------------------------


def test_request_log_records_method_path_and_headers(demo: DemoWeb) -> None:
    fetch(demo.url + "/s/boza_express?before=1202", {"User-Agent": "smokkelradar-test/1.0"})
    method, path, headers = demo.requests[-1]
    assert (method, path) == ("GET", "/s/boza_express?before=1202")
    assert headers["user-agent"] == headers["User-Agent"] == "smokkelradar-test/1.0"
    demo.clear_requests()
    assert demo.requests == []


# -- bad input -------------------------------------------------------------------------------------


def test_malformed_html_is_served_as_is(demo: DemoWeb) -> None:
    page = fetch(demo.url + "/bad/malformed")
    assert page.status == 200
    assert "<!-- an unterminated comment" in page.text
    assert page.sel.css(".post-title")  # a lenient parser still finds pieces


@pytest.mark.parametrize(
    ("mode", "content_type", "has_meta"),
    [
        ("wrong", "text/html; charset=utf-8", False),
        ("missing", "text/html", False),
        ("meta", "text/html", True),
    ],
)
def test_charset_page_is_windows_1256(demo: DemoWeb, mode: str, content_type: str, has_meta: bool) -> None:
    page = fetch(f"{demo.url}/bad/charset?mode={mode}")
    assert page.headers["Content-Type"] == content_type
    with pytest.raises(UnicodeDecodeError):
        page.body.decode("utf-8")
    assert CHARSET_TEXT in page.body.decode("cp1256")
    assert (b'<meta charset="windows-1256">' in page.body) is has_meta


def test_binary_body_is_labelled_html(demo: DemoWeb) -> None:
    page = fetch(demo.url + "/bad/binary")
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.body.startswith(b"\x89PNG") and len(page.body) > 60_000


def test_huge_page_has_the_size_asked_for(demo: DemoWeb) -> None:
    demo.options.huge_bytes = 3 * 1024 * 1024
    page = fetch(demo.url + "/bad/huge")
    assert int(page.headers["Content-Length"]) == len(page.body) == 3 * 1024 * 1024
    chunked = fetch(demo.url + "/bad/huge?bytes=2000000&chunked=1")
    assert chunked.headers["Content-Length"] is None
    assert chunked.headers["Transfer-Encoding"] == "chunked"
    assert len(chunked.body) == 2_000_000 and chunked.body.endswith(b"</html>")


def test_slow_page_outlasts_a_short_client_timeout(demo: DemoWeb) -> None:
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        fetch(demo.url + "/bad/slow?seconds=30", timeout=0.5)
    assert "Answered after 0 seconds" in fetch(demo.url + "/bad/slow?seconds=0").text
    # stop() wakes the sleeping answer instead of waiting 30 seconds (the fixture stops it).


def test_drifted_listing_matches_no_forum_selector(demo: DemoWeb) -> None:
    page = fetch(demo.url + "/bad/drift/").sel
    assert page.css("li.thread a.thread-title").getall() == []
    assert page.css("a.next[rel=next]").getall() == []
    assert page.css("article.card a.card__link::attr(href)").getall()  # the adverts are still there


def test_redirect_status_and_flaky_endpoints(demo: DemoWeb) -> None:
    other = f"http://127.0.0.1:{_free_port()}/elsewhere?a=1&b=2"
    moved = fetch(f"{demo.url}/redirect?to={urllib.parse.quote(other, safe='')}", follow=False)
    assert moved.status == 302 and moved.headers["Location"] == other
    assert fetch(demo.url + "/redirect", follow=False).status == 400
    assert fetch(demo.url + "/bad/status/503").status == 503
    assert [fetch(demo.url + "/bad/flaky?key=t&fail=2").status for _ in range(3)] == [503, 503, 200]


# -- escaping and label leaks ----------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script> ]]> & "quotes" \x07bell'


def _hostile(entry_id: str, channel: str, relevant: bool = True) -> CorpusEntry:
    return CorpusEntry(
        id=entry_id,
        lang="en",
        relevant=relevant,
        channel=channel,
        title=f"Title {HOSTILE}",
        text=f"line one {HOSTILE}\nline two @mention_me https://x.example/?a=1&b=<2> t.me/join_us",
        author='"><img src=x onerror=alert(1)>',
        posted=datetime(2026, 10, 1, 12, tzinfo=UTC),
    )


def test_attacker_controlled_text_is_escaped_everywhere() -> None:
    channels = ["forum", "telegram", "feed", "sitemap", "js"]
    hostile = [_hostile(f"en-{800 + i}", channel) for i, channel in enumerate(channels)]
    with DemoWeb(hostile) as web:
        pages = [fetch(web.url_for(e.id)).text for e in hostile]
        pages += [fetch(web.url + p).text for p in ("/forum/", "/s/boza_express", "/feed/", "/bad/drift/")]
        for html in pages:
            assert "<script>alert" not in html and "<img src=x" not in html
        forum = Selector(text=pages[0])
        assert forum.css(".post-author .username::text").get() == hostile[0].author
        assert HOSTILE.replace("\x07", "") in "".join(forum.css("div.post-body ::text").getall()).replace(
            "\x07", ""
        )
        for feed in ("/feed.xml", "/atom.xml", "/sitemap-adverts.xml", "/sitemap.xml"):
            _parse_xml(fetch(web.url + feed).body)  # well-formed despite ]]>, & and a control character
        rss_title = _parse_xml(fetch(web.url + "/feed.xml").body).findtext("channel/item/title")
        assert rss_title == "Title " + HOSTILE.replace("\x07", "")
        message = Selector(text=pages[1]).css(".tgme_widget_message_text a::attr(href)").getall()
        # t.me links lead to the demo web, which plays t.me; only the advert's own URL points elsewhere.
        assert message == [f"{web.url}/mention_me", "https://x.example/?a=1&b=", f"{web.url}/join_us"]
        api = json.loads(fetch(web.url + "/api/adverts").body)
        assert api["items"][0]["author"] == hostile[4].author


def _leak_markers(entries: list[CorpusEntry]) -> set[str]:
    """Strings only the labels hold: ids, label keys and values, and the word "relevant"."""
    markers = {"relevant", "labels", "per_person", "per_document", "schengen_visa", "residence_permit"}
    markers |= {"driving_licence", "travel_document", "on_foot", "id_card", "destination"}
    markers |= {e.id for e in entries}
    written = "\n".join(f"{e.title or ''}\n{e.text}\n{e.author}" for e in entries).casefold()
    return {m for m in markers if m.casefold() not in written}


def _pages_to_check(web: DemoWeb) -> list[str]:
    paths = [
        "/",
        "/forum/",
        "/feed/",
        "/feed.xml",
        "/atom.xml",
        "/sitemap.xml",
        "/sitemap-adverts.xml",
        "/js/",
    ]
    paths += ["/s/boza_express", "/s/docs_vip", "/bad/drift/", "/api/adverts?limit=100"]
    bodies = [fetch(web.url + p).text for p in paths]
    return (
        bodies
        + [fetch(url).text for url in web.url_map()]
        + [fetch(f"{web.url}/api/adverts/{p.slug}").text for p in web.catalog.by_source["js"]]
    )


def _assert_no_leaks(entries: list[CorpusEntry], bodies: list[str]) -> None:
    markers = _leak_markers(entries)
    countries = {c for e in entries for c in _countries(e)}
    route = re.compile(r"\b[A-Z]{2}\s*(?:→|->|-)\s*[A-Z]{2}\b")
    written = "\n".join(f"{e.title or ''}\n{e.text}" for e in entries)
    for body in bodies:
        folded = body.casefold()
        leaked = sorted(m for m in markers if m.casefold() in folded)
        assert not leaked, f"label text {leaked} in a served page"
        for match in route.findall(body):
            assert match in written, f"route code {match!r} in a served page"
        values = Selector(text=body).xpath("//@*").getall() if body.lstrip().startswith("<") else []
        assert not countries & {v.strip() for v in values}, "an ISO country code as an attribute value"


def _countries(entry: CorpusEntry) -> set[str]:
    route = entry.labels.get("route") or {}
    found = {route.get("origin"), route.get("destination"), *(route.get("transit") or [])}
    return {c for c in found if isinstance(c, str)}


def test_no_label_leaks_into_served_pages(demo: DemoWeb, entries: list[CorpusEntry]) -> None:
    _assert_no_leaks(entries, _pages_to_check(demo))


def test_the_whole_corpus_is_served_without_leaks() -> None:
    files = default_corpus_files()
    assert files, "tests/sites/corpus/adverts_*.yaml are missing"
    everything = load_corpus(files)
    with DemoWeb(everything) as web:
        bodies = _pages_to_check(web)
        _assert_no_leaks(everything, bodies)
        assert len(web.url_map()) == len(everything)
        # Every channel has enough messages for several "load older" pages.
        assert fetch(web.url + "/s/boza_express").sel.css("a.tme_messages_more::attr(data-before)").get()
        assert fetch(web.url + "/s/docs_vip").sel.css("a.tme_messages_more::attr(data-before)").get()


# -- server life cycle and CLI ---------------------------------------------------------------------


def test_port_in_use_is_a_clear_error(entries: list[CorpusEntry]) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(
            RadarError, match=rf"SR-E300: demo web: port 127\.0\.0\.1:{port} is already in use"
        ):
            DemoWeb(entries, port=port).start()


def _wait_for(url: str, process: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the demo web exited early: {process.communicate()}")
        try:
            if fetch(url, timeout=2).status == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


@pytest.mark.slow
def test_cli_serves_in_the_foreground_until_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "radar", "demo-web", "--port", str(port), "--corpus", str(MINI)]
    # Run from elsewhere: the command finds the demo web through the radar package, not the cwd.
    process = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/forum/", process)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"demo web: http://127.0.0.1:{port}/ (10 entries" in out


@pytest.mark.slow
def test_cli_start_status_stop(tmp_path: Path) -> None:
    port, run_dir = _free_port(), tmp_path / "run"
    runner = CliRunner()
    started = runner.invoke(
        app, ["demo-web", "start", "--port", str(port), "--run-dir", str(run_dir), "--corpus", str(MINI)]
    )
    try:
        assert started.exit_code == 0, started.output
        assert f"demo web: http://127.0.0.1:{port}/" in started.output
        assert fetch(f"http://127.0.0.1:{port}/s/docs_vip").status == 200
        assert runner.invoke(app, ["demo-web", "status", "--run-dir", str(run_dir)]).exit_code == 0
    finally:
        stopped = runner.invoke(app, ["demo-web", "stop", "--run-dir", str(run_dir)])
    assert "demo web stopped" in stopped.output
    assert runner.invoke(app, ["demo-web", "status", "--run-dir", str(run_dir)]).exit_code == 1
    with pytest.raises(urllib.error.URLError):
        fetch(f"http://127.0.0.1:{port}/", timeout=2)
