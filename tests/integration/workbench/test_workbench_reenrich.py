"""``reenrich`` against the real Elasticsearch node and a real SMTP server.

It updates the index from the stored text, leaves ``indexed_at`` alone, back-fills the one advert
that newly matches a saved search with exactly one marked mail, never a second one, and resumes a
run that stopped.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from alerts.service import AlertService, smtp_settings
from indexer.document import doc_id
from indexer.locks import writer_lock
from indexer.settings import IndexerSettings
from nlp.version import keywords_version
from nlp.vocabulary import keyword_files_of
from radar.errors import Code, RadarError
from tests.integration.alerts.support import LocalMailServer
from tests.integration.workbench.world import SLANG, World, corpus_adverts, slang_advert
from workbench.reenrich.backfill import BACKFILL_HEADER, Backfill, backfilled
from workbench.reenrich.run import Reenricher, ReenrichOptions

pytestmark = [pytest.mark.es, pytest.mark.smtp]


def _alerts(world: World) -> AlertService:
    config = world.config
    return AlertService(config, world.client, smtp_settings(config))


def test_reenrich_updates_the_index_and_backfills_one_alert_once(
    world: World, mail_server: LocalMailServer
) -> None:
    slang_id, slang_text = slang_advert(1)
    world.index([*corpus_adverts(per_language=3), (slang_id, "chat", slang_text)])
    service = _alerts(world)
    service.sync_searches()
    first = service.run_immediate()  # the alerts as they stand: the corpus' boat adverts, one digest
    assert first.delivery.sent == 1
    mailed_before = len(mail_server.received)
    before = world.doc(slang_id)
    assert "boat" not in before["transport"]
    # Indexed through spool and drain, the advert names the keywords that tagged it.
    assert before["keywords_version"] == keywords_version(keyword_files_of(world.config))

    world.add_term("transport.yaml", SLANG)
    version = keywords_version(keyword_files_of(world.config))
    report = Reenricher(world.config, world.client, ReenrichOptions(batch_size=20, deliver=True)).run()

    assert report.run.state == "done"
    assert report.run.seen == report.run.total == len(corpus_adverts(per_language=3)) + 1
    assert report.run.updated == 1 and report.run.backfilled == 1 and report.run.mails == 1
    after = world.doc(slang_id)
    assert "boat" in after["transport"] and after["keywords_version"] == version
    assert after["indexed_at"] == before["indexed_at"]  # not a new advert for the alert matcher
    assert all(
        world.doc(advert_id)["keywords_version"] == version
        for advert_id, _, _ in corpus_adverts(per_language=3)
    )
    new_mails = mail_server.received[mailed_before:]
    assert len(new_mails) == 1
    mail = new_mails[0]
    assert mail.header("Subject") == "smokkelradar [boats]: 1 new advert [back-fill]"
    assert mail.header(BACKFILL_HEADER) == f"keywords {version}; matched after re-enrichment"
    assert SLANG in mail.text()

    # Never a second time: not by the alert matcher, not by another run, not by recording it again.
    again = service.run_immediate()
    assert again.new_matches == 0 and again.delivery.sent == 0
    rerun = Reenricher(world.config, world.client, ReenrichOptions(restart=True, deliver=True)).run()
    assert rerun.run.seen == 0 and rerun.mails_sent == 0
    backfill = Backfill(world.config, world.client, version=version, run_id=99)
    try:
        assert backfill.record({("boats", doc_id(slang_id))}, {}, datetime.now(UTC)) == 0
        assert [(s, a) for s, _, a, _ in backfilled(backfill.ledger)] == [("boats", doc_id(slang_id))]
    finally:
        backfill.close()
    service.close()
    assert len(mail_server.received) == mailed_before + 1


def test_a_backfill_waits_for_its_searchs_cadence_and_gets_a_marked_mail_of_its_own(
    world: World, mail_server: LocalMailServer
) -> None:
    searches = world.radar_yaml.parent / "alerts" / "searches.yaml"
    searches.write_text(
        searches.read_text(encoding="utf-8").replace(
            "    cadence: immediate\n", "    cadence: daily at 07:30\n", 1
        ),
        encoding="utf-8",
    )
    assert world.config.alerts["boats"].cadence.kind == "daily"
    slang_id, slang_text = slang_advert(2)
    world.index([*corpus_adverts(per_language=2), (slang_id, "chat", slang_text)])
    service = _alerts(world)
    first = service.run_cadence("boats")  # the corpus' boat adverts, as the daily digest
    assert first.delivery.sent == 1
    mailed = len(mail_server.received)

    world.add_term("transport.yaml", SLANG)
    version = keywords_version(keyword_files_of(world.config))
    report = Reenricher(world.config, world.client, ReenrichOptions(batch_size=20, deliver=True)).run()
    assert report.run.backfilled == 1
    # Recorded and queued, but a daily search is not mailed by the run nor by the immediate job.
    assert report.run.mails == 0 and report.mails_sent == 0
    assert service.run_immediate().delivery.sent == 0
    assert len(mail_server.received) == mailed
    assert [(m.search, m.advert_id) for m in service.ledger.queued("boats")] == [("boats", doc_id(slang_id))]

    # A new advert arrives before the digest: one ordinary mail and one marked back-fill mail.
    fresh_id, fresh_text = (
        "chat:fresh-boat",
        (
            "Boat from Zuwara in Libya to Lampedusa in Italy on Saturday, 2600 euro per person, "
            "WhatsApp +218913399999, places left."
        ),
    )
    world.index([(fresh_id, "chat", fresh_text)], date="2026-11-21T10:00:00Z")
    digest = service.run_cadence("boats")
    assert digest.mails_composed == 2 and digest.delivery.sent == 2
    by_subject = {mail.header("Subject"): mail for mail in mail_server.received[mailed:]}
    assert set(by_subject) == {
        "smokkelradar [boats]: 1 new advert",
        "smokkelradar [boats]: 1 new advert [back-fill]",
    }
    marked = by_subject["smokkelradar [boats]: 1 new advert [back-fill]"]
    assert marked.header(BACKFILL_HEADER) == f"keywords {version}; matched after re-enrichment"
    assert SLANG in marked.text() and "Zuwara" in by_subject["smokkelradar [boats]: 1 new advert"].text()
    assert by_subject["smokkelradar [boats]: 1 new advert"].header(BACKFILL_HEADER) is None

    # Once: the next digest has nothing, and the back-fill stays recorded as such.
    assert service.run_cadence("boats").delivery.sent == 0
    assert [(s, a, v) for s, _, a, v in backfilled(service.ledger)] == [("boats", doc_id(slang_id), version)]
    service.close()


def test_a_stopped_run_resumes_where_it_stopped(world: World) -> None:
    adverts = corpus_adverts(per_language=2)
    world.index(adverts)
    world.add_term("transport.yaml", SLANG)  # a new version: every advert is to be re-tagged
    options = ReenrichOptions(batch_size=10, backfill=False, max_pages=1)
    stopped = Reenricher(world.config, world.client, options).run()
    assert stopped.run.state == "running" and stopped.run.seen == 10

    finished = Reenricher(world.config, world.client, ReenrichOptions(batch_size=10, backfill=False)).run()
    assert finished.resumed and finished.run.id == stopped.run.id
    assert finished.run.state == "done" and finished.run.seen == finished.run.total == len(adverts)


def test_a_busy_index_fails_the_page_and_the_run_stays_resumable(world: World) -> None:
    world.index(corpus_adverts(per_language=1))
    world.add_term("transport.yaml", SLANG)
    settings = IndexerSettings.from_config(world.config)
    options = ReenrichOptions(backfill=False, lock_wait=0.2)
    with writer_lock(settings.lock_path, "a drain"), pytest.raises(RadarError) as raised:
        Reenricher(world.config, world.client, options).run()
    assert raised.value.code == Code.INDEX_BUSY
    resumed = Reenricher(world.config, world.client, options).run()
    assert resumed.resumed and resumed.run.state == "done"
