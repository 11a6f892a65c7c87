"""The ledger's promises without any server: one entry per (saved search, cluster), mails recorded
before sending, interrupted attempts flagged, and the match checkpoint advanced atomically."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from alerts.delivery import Backoff
from alerts.ledger import Ledger, Match
from alerts.new_adverts import Checkpoint, NewAdvert

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _record(ledger: Ledger, *matches: Match) -> int:
    with ledger.transaction() as db:
        return ledger.record_matches(db, list(matches), T0)


def test_a_cluster_is_recorded_once_per_saved_search(tmp_path: Path) -> None:
    with Ledger(tmp_path / "alerts.sqlite") as ledger:
        assert _record(ledger, Match("sea", "c1", "d1"), Match("docs", "c1", "d1")) == 2
        # A repost (same cluster, other advert) and a re-index (same advert) add nothing.
        assert _record(ledger, Match("sea", "c1", "d2"), Match("sea", "c1", "d1")) == 0
        assert [m.advert_id for m in ledger.queued("sea")] == ["d1"]
        assert ledger.already_matched("sea", ["c1", "c2"]) == {"c1"}


def test_a_mail_is_pending_before_it_is_sent_and_takes_its_matches(tmp_path: Path) -> None:
    with Ledger(tmp_path / "alerts.sqlite") as ledger:
        matches = [Match("sea", "c1", "d1"), Match("sea", "c2", "d2")]
        _record(ledger, *matches)
        mail_id = ledger.add_mail(
            message_id="<m1@test.invalid>", search="sea", recipients=["mdt@test.invalid"], subject="s",
            body=b"raw", matches=matches, at=T0,
        )  # fmt: skip
        assert ledger.queued("sea") == []
        [mail] = ledger.due(T0)
        assert (mail.id, mail.state, mail.adverts, mail.recipients) == (
            mail_id,
            "pending",
            2,
            ("mdt@test.invalid",),
        )
        ledger.begin_attempt(mail_id)
        assert ledger.due(T0) == []  # mid-attempt: not handed out again
        ledger.mark_failed(mail_id, "451 busy", T0 + timedelta(seconds=30))
        assert ledger.due(T0 + timedelta(seconds=29)) == []
        [retry] = ledger.due(T0 + timedelta(seconds=30))
        assert (retry.attempts, retry.last_error) == (1, "451 busy")
        ledger.begin_attempt(mail_id)
        ledger.mark_sent(mail_id, T0 + timedelta(seconds=31))
        [sent] = ledger.mails()
        assert (sent.state, sent.sent_at, sent.interrupted_at) == ("sent", T0 + timedelta(seconds=31), None)
        assert ledger.pending_count() == 0


def test_an_attempt_left_sending_is_recovered_as_a_flagged_retry(tmp_path: Path) -> None:
    path = tmp_path / "alerts.sqlite"
    with Ledger(path) as ledger:
        mail_id = ledger.add_mail(
            message_id="<m1@test.invalid>", search="sea", recipients=["a@test.invalid"], subject="s",
            body=b"raw", matches=[], at=T0,
        )  # fmt: skip
        ledger.begin_attempt(mail_id)
    with Ledger(path) as reopened:  # the process that was sending is gone
        assert reopened.recover_interrupted(T0 + timedelta(minutes=1)) == 1
        [mail] = reopened.due(T0 + timedelta(minutes=1))
        assert mail.interrupted_at == T0 + timedelta(minutes=1)
        assert reopened.recover_interrupted(T0 + timedelta(minutes=2)) == 0


def test_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(first=timedelta(seconds=15), cap=timedelta(minutes=2))
    assert [backoff.after(n).total_seconds() for n in range(1, 6)] == [15, 30, 60, 120, 120]


def test_the_checkpoint_skips_matched_versions_and_keeps_the_overlap(tmp_path: Path) -> None:
    with Ledger(tmp_path / "alerts.sqlite") as ledger:
        checkpoint = Checkpoint(ledger.db, overlap=timedelta(seconds=10))
        assert checkpoint.scan_from() == 0  # first run: everything in the index
        page = [NewAdvert("d1", "c1", 100_000), NewAdvert("d2", "c2", 105_000)]
        assert checkpoint.unmatched(page) == page
        with ledger.transaction() as db:
            checkpoint.advance(db, page)
        assert checkpoint.mark() == 105_000
        assert checkpoint.scan_from() == 95_000
        # Seen again in the overlap: skipped; a new version of d1 (re-indexed) is matched again.
        again = [*page, NewAdvert("d1", "c1", 106_000), NewAdvert("d3", "c3", 104_000)]
        assert [(a.doc_id, a.indexed_at) for a in checkpoint.unmatched(again)] == [
            ("d1", 106_000),
            ("d3", 104_000),
        ]


def test_the_checkpoint_and_the_matches_commit_together(tmp_path: Path) -> None:
    with Ledger(tmp_path / "alerts.sqlite") as ledger:
        checkpoint = Checkpoint(ledger.db)
        try:
            with ledger.transaction() as db:
                ledger.record_matches(db, [Match("sea", "c1", "d1")], T0)
                checkpoint.advance(db, [NewAdvert("d1", "c1", 5_000)])
                raise RuntimeError("killed mid-way")
        except RuntimeError:
            pass
        assert checkpoint.mark() is None and ledger.queued("sea") == []
