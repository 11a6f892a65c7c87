"""Alerts end to end on the real local Elasticsearch and a real SMTP server: adverts go through the
indexer's spool and drain, the matcher finds them, mails arrive once, reposts never."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from alerts import matcher as matcher_module
from alerts.compose import SEARCH_HEADER
from alerts.matcher import Hit, ReverseSearchMatcher
from alerts.saved_index import match_batches_index, saved_searches_index
from alerts.stage import run_alert_stage
from indexer.document import doc_id
from radar.cli import app
from tests.integration.alerts.world import (
    OTHER_PASSPORT_TEXT,
    REPOST_TEXT,
    World,
    advert,
    boat_advert,
    passport_advert,
)

pytestmark = [
    pytest.mark.es,
    pytest.mark.smtp,
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning"),
]


def test_a_new_matching_advert_arrives_once_with_its_content(world: World) -> None:
    world.index(passport_advert())
    service = world.service()
    counts = service.run_immediate()
    assert (counts.new_matches, counts.delivery.sent) == (1, 1)

    [mail] = world.server.received
    assert mail.header("Subject") == "smokkelradar [forged-passports]: 1 new advert"
    assert mail.recipients == ["mdt@test.invalid"]
    assert mail.header(SEARCH_HEADER) == "forged-passports"
    text, html = mail.text(), mail.html()
    # The matched term, highlighted in both parts; the advert's own HTML is shown, never run.
    assert "*passports*" in text
    assert "<mark" in html and ">passports</mark>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html
    for part in (text, html):
        assert "LY → IT" in part
        assert "2,760" in part and "3,000" in part and "USD" in part  # EUR first, then the advert's own
        assert "+218912345678" in part
        assert "passport, visa" in part
        assert "test-feed" in part
        assert "2026-07-01 12:00 CEST" in part  # posted 10:00 UTC, shown in Europe/Amsterdam
        assert "https://adverts.example/test-feed:1" in part
        assert "ab" * 32 in part  # the evidence's SHA-256
    # Mail clients must not fetch or run anything.
    assert "<img" not in html and "<link" not in html and "<style" not in html and "src=" not in html

    # Running again, and re-indexing the same advert, mails nothing more.
    assert service.run_immediate().delivery.sent == 0
    world.index(passport_advert())
    again = service.run_immediate()
    assert (again.adverts_checked, again.new_matches, again.delivery.sent) == (1, 0, 0)
    assert len(world.server.received) == 1


def test_a_near_duplicate_repost_does_not_arrive(world: World) -> None:
    world.index(passport_advert())
    service = world.service()
    assert service.run_immediate().delivery.sent == 1

    world.index(passport_advert("other-group:77", REPOST_TEXT, source="test-board"))
    original, repost = world.doc("test-feed:1"), world.doc("other-group:77")
    assert repost["cluster"]["id"] == original["cluster"]["id"]  # the indexer clustered them
    reposted = service.run_immediate()
    assert (reposted.adverts_checked, reposted.new_matches, reposted.delivery.sent) == (1, 0, 0)

    # A different advert still arrives: the pipeline works, only the repost was held back.
    world.index(
        advert("test-feed:2", OTHER_PASSPORT_TEXT, documents=("passport", "id_card"), route=(None, "GR"))
    )
    assert service.run_immediate().delivery.sent == 1
    subjects = [m.header("X-Smokkelradar-Adverts") for m in world.server.received]
    assert subjects == ["test-feed:1", "test-feed:2"]


def test_scheduled_searches_wait_for_their_cadence_and_send_one_digest(world: World) -> None:
    world.index(
        boat_advert(1),
        boat_advert(2),
        advert("test-feed:boat-low", "Boat trip, maybe.", transport=("boat",), score=0.2),
    )
    service = world.service()
    immediate = service.run_immediate()
    assert (immediate.new_matches, immediate.delivery.sent) == (2, 0)  # low score never matches
    with world.ledger() as ledger:
        assert [m.advert_id for m in ledger.queued("sea-daily")] == [
            doc_id("test-feed:boat-1"),
            doc_id("test-feed:boat-2"),
        ]

    digest = service.run_cadence("sea-daily")
    assert (digest.mails_composed, digest.delivery.sent) == (1, 1)
    [mail] = world.server.received
    assert mail.header("Subject") == "smokkelradar [sea-daily]: 2 nieuwe advertenties"
    assert "Boat crossings from Libya." in mail.text()
    assert "Vervoer" in mail.text() and "boat" in mail.text()
    assert service.run_cadence("sea-daily").delivery.sent == 0


def test_a_restart_neither_rematches_nor_misses(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.index(passport_advert())
    first = world.service()

    def crash(*args: object, **kwargs: object) -> int:
        raise RuntimeError("killed while writing the matches")

    # Dies after matching, before the ledger transaction commits: nothing may be lost.
    monkeypatch.setattr(first.ledger, "record_matches", crash)
    with pytest.raises(RuntimeError):
        first.run_immediate()
    first.close()
    assert world.server.received == []

    restarted = world.service()
    counts = restarted.run_immediate()
    assert (counts.adverts_checked, counts.delivery.sent) == (1, 1)
    restarted.close()

    again = world.service()
    assert again.run_immediate().adverts_checked == 0  # the checkpoint holds across restarts
    assert len(world.server.received) == 1


def test_one_msearch_confined_to_the_batch(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = world.config.radar.elasticsearch.index_prefix
    matcher = ReverseSearchMatcher(
        world.client, f"{prefix}-adverts", saved_searches_index(prefix), match_batches_index(prefix)
    )
    matcher.sync(world.config.alerts, {name: ("mdt@test.invalid",) for name in world.config.alerts})
    world.index(passport_advert(), boat_advert(1), boat_advert(2))

    ids = [doc_id("test-feed:1"), doc_id("test-feed:boat-1"), doc_id("test-feed:boat-2")]
    assert sorted(matcher.match(ids), key=lambda h: (h.search, h.doc_id)) == sorted(
        [Hit("forged-passports", ids[0]), Hit("sea-daily", ids[1]), Hit("sea-daily", ids[2])],
        key=lambda h: (h.search, h.doc_id),
    )
    # Adverts outside the batch are never returned, however well they match.
    assert matcher.match([ids[1]]) == [Hit("sea-daily", ids[1])]
    assert matcher.match([]) == []

    # A large batch is listed once in a batch document (terms lookup) instead of in every sub-search.
    monkeypatch.setattr(matcher_module, "INLINE_IDS", 1)
    assert sorted(matcher.match(ids[1:]), key=lambda h: h.doc_id) == sorted(
        [Hit("sea-daily", ids[1]), Hit("sea-daily", ids[2])], key=lambda h: h.doc_id
    )
    batches = match_batches_index(prefix)
    world.client.indices.refresh(index=batches)
    assert world.client.count(index=batches)["count"] == 0  # the batch document is removed afterwards


def test_saved_searches_are_stored_with_the_adverts_field_mappings(world: World) -> None:
    prefix = world.config.radar.elasticsearch.index_prefix
    world.service().sync_searches()
    index = saved_searches_index(prefix)
    stored = world.client.get(index=index, id="sea-daily")["_source"]
    assert stored["filters"] == {"transport": ["boat"], "from": ["LY"]}
    assert stored["compiled"]["bool"]["filter"]  # the indexer's query, kept verbatim
    mapping = world.client.indices.get_mapping(index=index)[index]["mappings"]["properties"]
    assert mapping["compiled"] == {"type": "object", "enabled": False}
    assert mapping["filters"]["properties"]["transport"] == {"type": "keyword"}
    assert mapping["min_score"] == {"type": "float"}


def test_dry_run_and_the_sent_list(world: World) -> None:
    world.index(passport_advert(), passport_advert("other-group:77", REPOST_TEXT, source="test-board"))
    runner = CliRunner()
    dry = runner.invoke(
        app, ["alerts", "test", "forged-passports", "--since", "7d", "-c", str(world.radar_yaml)]
    )
    assert dry.exit_code == 0, dry.output
    assert "1 advert(s) (one per near-duplicate cluster) would have been mailed in 1 mail(s)" in dry.output
    assert "[new]" in dry.output and "LY → IT" in dry.output
    assert world.server.received == []  # a dry run sends nothing

    assert run_alert_stage(world.radar_yaml) == {"alerts sent": 1, "new matches": 1, "send failures": 0}
    message_id = world.server.received[0].header("Message-ID")
    listed = runner.invoke(app, ["alerts", "sent", "-c", str(world.radar_yaml)])
    assert listed.exit_code == 0, listed.output
    assert f"sent     forged-passports  1 advert(s)  to mdt@test.invalid  {message_id}" in listed.output

    after = runner.invoke(app, ["alerts", "test", "forged-passports", "-c", str(world.radar_yaml)])
    assert "[already mailed]" in after.output

    unknown = runner.invoke(app, ["alerts", "test", "no-such-search", "-c", str(world.radar_yaml)])
    assert unknown.exit_code != 0
