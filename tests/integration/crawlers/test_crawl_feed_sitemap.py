"""The feed and sitemap spiders on the demo web, with the shipped demo sources."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from crawlers.items import canonical_url
from crawlers.text import tidy_text

FEED_WITH_PAGES = """
sources:
  - name: feed-pages
    kind: feed
    feed_url: DEMO/atom.xml
    follow_links: true
    fields:
      title: "h1.entry-title::text"
      body: "div.entry-content"
      posted: "time.entry-date::attr(datetime)"
      author: ".entry-author::text"
"""

RELATIVE_DAYS = {"منذ يومين": 2, "3 days ago": 3, "۳ روز پیش": 3, "2 gün önce": 2, "3 gün önce": 3}


def test_feed_entries_match_the_ground_truth_and_an_unchanged_feed_costs_one_304(
    make_site: Callable[..., Any],
) -> None:
    site = make_site(demo_sources=("feed",))
    demo = site.demo
    report = site.crawl("feed", "demo-feed").report
    items = site.spooled()
    entries = demo.entries_of("feed")
    assert report["adverts"]["new"] == len(entries) == len(items)
    for entry in entries:
        item = items[f"demo-feed:{canonical_url(demo.url_for(entry.id))}"]
        assert item["text"] == tidy_text(entry.text), entry.id
        assert item["title"] == entry.title
        assert item["author"] == entry.author
        assert item["posted_at"] == entry.posted.strftime("%Y-%m-%dT%H:%M:%SZ")
    demo.clear_requests()
    again = site.crawl("feed", "demo-feed").report
    assert again["adverts"]["new"] == 0 and again["not_modified"] == 1
    assert sorted(r.path for r in demo.requests) == ["/feed.xml", "/robots.txt"]


def test_atom_feed_with_entry_pages(make_site: Callable[..., Any]) -> None:
    site = make_site(FEED_WITH_PAGES, demo_sources=())
    demo = site.demo
    report = site.crawl("feed", "feed-pages").report
    items = site.spooled()
    entries = demo.entries_of("feed")
    assert report["adverts"]["new"] == len(entries)
    assert report["drift"] == []
    for entry in entries:
        item = items[f"feed-pages:{canonical_url(demo.url_for(entry.id))}"]
        assert item["text"] == tidy_text(entry.text)
        assert item["title"] == entry.title


def test_sitemap_pages_match_the_ground_truth_and_filters_apply(make_site: Callable[..., Any]) -> None:
    site = make_site(demo_sources=("sitemap",))
    demo = site.demo
    held_back = [e.id for e in demo.entries_of("sitemap")[-2:]]
    demo.hide(held_back)
    report = site.crawl("sitemap", "demo-sitemap").report
    items = site.spooled()
    entries = demo.entries_of("sitemap")
    # Only /pages/ (allow), never the forum adverts the same sitemap lists, nor about/contact (deny).
    assert report["adverts"]["new"] == len(entries) == len(items)
    assert all("/pages/" in item["url"] for item in items.values())
    for entry in entries:
        item = items[f"demo-sitemap:{canonical_url(demo.url_for(entry.id))}"]
        assert item["text"] == tidy_text(entry.text)
        assert item["title"] == entry.title
        assert item["author"] == entry.author
        posted = datetime.fromisoformat(item["posted_at"].replace("Z", "+00:00"))
        fetched = datetime.fromisoformat(item["fetched_at"].replace("Z", "+00:00"))
        if entry.posted_display is None:
            assert posted == entry.posted
        elif entry.posted_display in RELATIVE_DAYS:
            assert fetched - posted == timedelta(days=RELATIVE_DAYS[entry.posted_display])
    demo.clear_requests()
    demo.publish(held_back)
    again = site.crawl("sitemap", "demo-sitemap").report
    assert again["adverts"]["new"] == 2
    pages = sorted(r.path for r in demo.requests if r.path.startswith("/pages/"))
    assert pages == sorted(demo.placement(entry_id).path for entry_id in held_back)


def test_sitemap_lastmod_cutoff_skips_old_pages(make_site: Callable[..., Any]) -> None:
    site = make_site(
        """
sources:
  - name: recent-pages
    kind: sitemap
    sitemap_url: DEMO/sitemap.xml
    allow: ['/pages/']
    lastmod_since: 2026-10-01
    fields:
      body: "div.page-content"
""",
        demo_sources=(),
    )
    demo = site.demo
    site.crawl("sitemap", "recent-pages")
    cutoff = datetime.fromisoformat("2026-10-01T00:00:00+00:00")
    expected = {canonical_url(demo.url_for(e.id)) for e in demo.entries_of("sitemap") if e.posted >= cutoff}
    got = {item["url"] for item in site.spooled().values()}
    assert got == expected and 0 < len(got) < len(demo.entries_of("sitemap"))
