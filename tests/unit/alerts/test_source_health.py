"""Source health: a quiet source or drifted selectors make one incident, mailed once, closed when
the source recovers; the crawl's counts come from its report file or Scrapy's stats."""

from __future__ import annotations

from pathlib import Path

from radar import health
from radar.jobs import _crawl_counts
from radar.runs import RunHistory


class Mailbox:
    """Collects what the incident logic hands to its notifier (the SMTP side is tested elsewhere)."""

    def __init__(self, failing: bool = False) -> None:
        self.sent: list[str] = []
        self.failing = failing

    def __call__(self, subject: str, text: str) -> None:
        if self.failing:
            raise OSError("mail server down")
        self.sent.append(subject)


def _crawl(history: RunHistory, new: int, misses: int = 0) -> None:
    with history.record("crawl:forum") as record:
        record.counts = {"adverts new": new, "selector misses": misses}


def test_a_quiet_source_is_reported_once_per_incident(tmp_path: Path) -> None:
    history, mailbox = RunHistory(tmp_path / "runs.sqlite"), Mailbox()
    for new in (4, 0, 0):
        _crawl(history, new)
        health.check_source(history, mailbox, "forum")
    assert mailbox.sent == []  # two quiet runs are not yet three
    for _ in range(3):
        _crawl(history, 0)
        health.check_source(history, mailbox, "forum")
    assert mailbox.sent == ["source forum returned no new adverts"]

    _crawl(history, 2)  # back: the incident closes
    health.check_source(history, mailbox, "forum")
    assert history.open_incidents() == []
    for _ in range(3):
        _crawl(history, 0)
        health.check_source(history, mailbox, "forum")
    assert len(mailbox.sent) == 2  # a new incident, a new mail


def test_selector_drift_is_reported_and_a_failed_mail_is_retried(tmp_path: Path) -> None:
    history = RunHistory(tmp_path / "runs.sqlite")
    _crawl(history, 3, misses=5)
    health.check_source(history, Mailbox(failing=True), "forum")
    [incident] = history.open_incidents()
    assert (incident.key, incident.mailed_at) == ("selector-drift:forum", None)

    mailbox = Mailbox()
    _crawl(history, 1, misses=2)
    health.check_source(history, mailbox, "forum")
    health.check_source(history, mailbox, "forum")
    assert mailbox.sent == ["selectors of source forum stopped matching"]
    _crawl(history, 1, misses=0)
    health.check_source(history, mailbox, "forum")
    assert history.open_incidents() == []


def test_crawl_counts_from_the_report_file_or_the_scrapy_stats(tmp_path: Path) -> None:
    report, log = tmp_path / "report.json", tmp_path / "crawl.log"
    report.write_text('{"adverts new": 3, "selector misses": 1, "note": "text is ignored"}')
    assert _crawl_counts(report, log) == {"adverts new": 3, "selector misses": 1}
    report.unlink()
    log.write_text(
        "INFO: Dumping Scrapy stats:\n{'downloader/request_count': 9,\n 'item_scraped_count': 7,\n}\n"
    )
    assert _crawl_counts(report, log) == {"adverts new": 7}
