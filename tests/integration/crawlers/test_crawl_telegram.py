"""The telegram spider on the demo web's channel previews (t.me's structure), shipped demo source.

Messages match the ground truth (ids from data-post, text with line breaks and emoji, dates);
the high-water mark stops a later run at the last message stored; the `&amp;` quirk in link
previews is undone; a channel without a public preview and an empty channel are reported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crawlers.text import tidy_text

CHANNELS = ("boza_express", "docs_vip")

EXTRA = """
sources:
  - name: odd-channels
    kind: telegram
    base_url: DEMO
    channels: [empty_channel, private_group]
    depth: 2
"""


def test_messages_match_the_ground_truth(make_site: Callable[..., Any]) -> None:
    site = make_site(demo_sources=("telegram",))
    report = site.crawl("telegram", "demo-telegram").report
    items = site.spooled()
    demo = site.demo
    expected = {channel: demo.entries_of(channel) for channel in CHANNELS}
    assert report["adverts"]["new"] == sum(len(e) for e in expected.values()) == len(items)
    for channel, entries in expected.items():
        for entry in entries:
            number = demo.placement(entry.id).number
            item = items[f"demo-telegram:{channel}/{number}"]
            assert item["text"] == tidy_text(entry.text), entry.id
            assert item["posted_at"] == entry.posted.strftime("%Y-%m-%dT%H:%M:%SZ")
            assert item["author"] == entry.author
            assert item["url"] == demo.url_for(entry.id)
            assert item["channel"] == channel and item["message_id"] == number
            assert isinstance(item["views"], int)
    # Forwards, replies and previews are carried along.
    assert any(item["forwarded_from"] for item in items.values())
    assert any(item["reply_to"] for item in items.values())
    previews = [p for item in items.values() for p in item["link_previews"]]
    assert previews
    # The double-escaped hrefs of link previews come out as real URLs.
    assert not any("&amp;" in p["url"] for p in previews)
    assert not any("&amp;" in link for item in items.values() for link in item["outlinks"])
    assert state_marks(site) == {c: max(demo.placement(e.id).number for e in expected[c]) for c in CHANNELS}


def state_marks(site: Any) -> dict[str, int]:
    return dict(site.state("demo-telegram")["high_water"])


def test_high_water_mark_stops_the_next_run(make_site: Callable[..., Any]) -> None:
    site = make_site(demo_sources=("telegram",))
    demo = site.demo
    newest = {channel: demo.entries_of(channel)[-3:] for channel in CHANNELS}
    demo.hide([e.id for entries in newest.values() for e in entries])

    site.crawl("telegram", "demo-telegram")
    marks = state_marks(site)
    assert marks == {c: max(demo.placement(e.id).number for e in demo.entries_of(c)) for c in CHANNELS}

    demo.publish([e.id for entries in newest.values() for e in entries])
    demo.clear_requests()
    report = site.crawl("telegram", "demo-telegram").report
    # Only the newest page of each channel: the high-water mark is on it, so no ?before= paging.
    assert sorted(r.path for r in demo.requests if r.path.startswith("/s/")) == [
        "/s/boza_express",
        "/s/docs_vip",
    ]
    assert report["adverts"]["new"] == 6
    new_ids = {
        f"demo-telegram:{c}/{demo.placement(e.id).number}" for c, entries in newest.items() for e in entries
    }
    assert new_ids <= set(site.spooled())
    assert state_marks(site) == {c: max(demo.placement(e.id).number for e in newest[c]) for c in CHANNELS}


def test_depth_limits_paging_and_a_run_without_news_costs_one_304_per_channel(
    make_site: Callable[..., Any],
) -> None:
    site = make_site(demo_sources=("telegram",))
    demo = site.demo
    first = site.crawl("telegram", "demo-telegram").report
    assert first["adverts"]["new"] == sum(len(demo.entries_of(c)) for c in CHANNELS)
    demo.clear_requests()
    second = site.crawl("telegram", "demo-telegram").report
    assert second["adverts"]["new"] == 0 and second["not_modified"] == 2
    assert sorted(r.path for r in demo.requests) == ["/robots.txt", "/s/boza_express", "/s/docs_vip"]


def test_channel_without_preview_and_empty_channel_are_reported(make_site: Callable[..., Any]) -> None:
    site = make_site(EXTRA, demo_sources=())
    report = site.crawl("telegram", "odd-channels").report
    assert report["finish_reason"] == "finished"
    notes = {note["kind"]: note for note in report["notes"]}
    assert notes["no_public_preview"]["channel"] == "private_group"
    assert "private_group" in notes["no_public_preview"]["message"]
    assert notes["empty_channel"]["channel"] == "empty_channel"
    assert report["errors"] == {"no_public_preview": 1}
    assert report["adverts"]["new"] == 0
