"""The listing spider on the demo web's classifieds board, with the shipped demo source.

Every published forum advert arrives in the spool with the ground truth's title, text,
author and date; a second run fetches nothing new (one 304); after new adverts appear,
exactly those are fetched.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from crawlers.items import canonical_url
from crawlers.text import tidy_text

# How many days back each relative date on the board lies (the corpus' posted_display values).
RELATIVE_DAYS = {
    "ከ3 ቀን በፊት": 3, "ትናንት": 1, "منذ يومين": 2, "٢ ڕۆژ لەمەوبەر": 2, "دوێنێ": 1, "vor 3 Tagen": 3,
    "gestern": 1, "πριν από 2 ημέρες": 2, "3 days ago": 3, "۳ روز پیش": 3, "2 giorni fa": 2,
    "۲ ورځې مخکې": 2, "4 maalmood ka hor": 4, "3 gün önce": 3,
}  # fmt: skip


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_against_truth(site: Any, items: dict[str, dict[str, Any]], source: str, channel: str) -> None:
    demo = site.demo
    entries = demo.entries_of(channel)
    assert entries
    for entry in entries:
        advert_id = f"{source}:{canonical_url(demo.url_for(entry.id))}"
        assert advert_id in items, f"{entry.id} ({demo.url_for(entry.id)}) was not crawled"
        item = items[advert_id]
        assert item["title"] == entry.title
        assert item["text"] == tidy_text(entry.text), entry.id
        assert item["author"] == entry.author
        posted, fetched = _when(str(item["posted_at"])), _when(str(item["fetched_at"]))
        if entry.posted_display is None:
            assert posted == entry.posted, entry.id
        else:
            assert item["posted_text"] == entry.posted_display
            assert fetched - posted == timedelta(days=RELATIVE_DAYS[entry.posted_display]), entry.id


def test_forum_adverts_match_the_ground_truth_and_carry_enrichment(make_site: Callable[..., Any]) -> None:
    site = make_site(demo_sources=("forum",))
    outcome = site.crawl("listing", "demo-forum", ENRICH_ENABLED=True)
    report = outcome.report
    items = site.spooled()
    forum_entries = site.demo.entries_of("forum")
    assert report["adverts"]["new"] == len(forum_entries) == len(items)
    assert report["errors"] == {} and report["drift"] == []
    check_against_truth(site, items, "demo-forum", "forum")
    # Enrichment ran inside the crawl: every advert has the record, with the title joined in front.
    assert report["enriched"] == len(items)
    for item in items.values():
        assert set(item["enrichment"]) >= {"language", "route", "prices", "phones", "score", "rules"}
    # The price and location fields the analyst configured.
    priced = [item for item in items.values() if item.get("price_text") not in (None, "—")]
    assert priced


def test_second_run_fetches_nothing_and_a_third_exactly_the_new_adverts(
    make_site: Callable[..., Any],
) -> None:
    site = make_site(demo_sources=("forum",))
    demo = site.demo
    forum = demo.entries_of("forum")
    held_back = [entry.id for entry in forum[-4:]]
    demo.hide(held_back)

    first = site.crawl("listing", "demo-forum").report
    assert first["adverts"]["new"] == len(forum) - 4

    demo.clear_requests()
    second = site.crawl("listing", "demo-forum").report
    assert second["adverts"]["new"] == 0 and second["not_modified"] == 1
    assert sorted(r.path for r in demo.requests) == ["/forum/", "/robots.txt"]

    demo.clear_requests()
    demo.publish(held_back)
    third = site.crawl("listing", "demo-forum").report
    assert third["adverts"]["new"] == 4
    fetched_adverts = sorted(r.path for r in demo.requests if r.path.startswith("/forum/advert/"))
    assert fetched_adverts == sorted(demo.placement(entry_id).path for entry_id in held_back)
    assert len(site.spooled()) == len(forum)
