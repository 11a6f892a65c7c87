"""Back-fill alerts: an advert that matches a saved search only because its tags changed is mailed once.

Re-enrichment does not touch ``indexed_at``, so the alert matcher's scan of new adverts never sees a
re-tagged advert; this module takes its place for them. For every page of re-tagged adverts the
saved searches are matched (the alert matcher itself, ``alerts.matcher.ReverseSearchMatcher``)
before the update and after it; a pair that matches only after is *newly* matching. It goes
through the alert ledger (``alerts.ledger``), keyed by (saved search, near-duplicate cluster), so
an advert (or a repost of it) already mailed for that search is never mailed again, and a
back-fill is never mailed twice. Each back-fill is also written to ``backfill_matches`` in the
ledger's file (same transaction), and its mail carries the subject marker ``[back-fill]`` and the
header ``X-Smokkelradar-Backfill: keywords <version>``. The mails are stored ``pending`` in the
ledger; the scheduler's delivery (or ``reenrich --deliver``) sends them, with the ledger's
exactly-once guarantee.
"""

from __future__ import annotations

import email
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from typing import TYPE_CHECKING

from alerts.advert_view import view_of
from alerts.compile import compile_search
from alerts.compose import compose
from alerts.delivery import DeliveryReport, send_due
from alerts.digest import MAX_PER_MAIL
from alerts.fetch import fetch_for_mail
from alerts.ledger import Ledger, Match
from alerts.lock import exclusive
from alerts.matcher import ReverseSearchMatcher
from alerts.saved_index import match_batches_index, saved_searches_index
from alerts.service import LEDGER_FILE, LOCK_FILE, smtp_settings
from indexer.templates import IndexNames
from radar.config.loaded import Config

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

BACKFILL_HEADER = "X-Smokkelradar-Backfill"
SUBJECT_MARKER = "[back-fill]"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS backfill_matches (
    search TEXT NOT NULL,
    cluster TEXT NOT NULL,
    advert_id TEXT NOT NULL,            -- the document id, as in matches
    keywords_version TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    matched_at TEXT NOT NULL,
    PRIMARY KEY (search, cluster)
);
"""

Pair = tuple[str, str]  # (saved search, document id)


def mark_backfill(body: bytes, version: str) -> tuple[str, bytes]:
    """The composed mail with the back-fill subject marker and header: (subject, bytes)."""
    message = email.message_from_bytes(body, policy=SMTP)
    if not isinstance(message, EmailMessage):  # pragma: no cover - policy=SMTP always builds one
        raise TypeError("not an email message")
    subject = f"{message['Subject']} {SUBJECT_MARKER}"
    message.replace_header("Subject", subject)
    message[BACKFILL_HEADER] = f"keywords {version}; matched after re-enrichment"
    return subject, message.as_bytes()


class Backfill:
    """Matching before/after a page and recording the newly matching pairs (one per run)."""

    def __init__(self, config: Config, client: Elasticsearch, *, version: str, run_id: int) -> None:
        self.config = config
        self.client = client
        self.version = version
        self.run_id = run_id
        state = config.radar.data.state
        names = IndexNames(config.radar.elasticsearch.index_prefix)
        self.alias = names.alias
        self.lock_path = state / LOCK_FILE
        self.ledger = Ledger(state / LEDGER_FILE)
        self.ledger.db.executescript(_SCHEMA)
        self.matcher = ReverseSearchMatcher(
            client, names.alias, saved_searches_index(names.prefix), match_batches_index(names.prefix)
        )
        recipients = {name: config.recipients_for(search) for name, search in config.alerts.items()}
        with exclusive(self.lock_path):  # the alert service writes the same saved-search index
            self.matcher.sync(config.alerts, recipients)

    def close(self) -> None:
        self.ledger.close()

    def match(self, doc_ids: Sequence[str]) -> set[Pair]:
        return {(hit.search, hit.doc_id) for hit in self.matcher.match(doc_ids)} if doc_ids else set()

    def record(self, newly: Collection[Pair], clusters: Mapping[str, str], at: datetime) -> tuple[int, int]:
        """Queue the newly matching pairs the ledger has not seen, and compose their mails.

        Returns (back-fills recorded, mails composed)."""
        if not newly:
            return 0, 0
        with exclusive(self.lock_path):
            fresh: list[Match] = []
            with self.ledger.transaction() as db:
                for search, doc_id in sorted(newly):
                    cluster = clusters.get(doc_id) or doc_id
                    if search not in self.config.alerts or any(
                        m.cluster == cluster for m in fresh if m.search == search
                    ):
                        continue
                    if self.ledger.already_matched(search, [cluster]):
                        continue
                    fresh.append(Match(search, cluster, doc_id))
                self.ledger.record_matches(db, fresh, at)
                db.executemany(
                    "INSERT OR IGNORE INTO backfill_matches (search, cluster, advert_id, keywords_version, "
                    "run_id, matched_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (m.search, m.cluster, m.advert_id, self.version, self.run_id, at.isoformat())
                        for m in fresh
                    ],
                )
            return len(fresh), self._compose(fresh, at)

    def _compose(self, matches: Sequence[Match], at: datetime) -> int:
        """One back-fill mail per saved search (per advert for ``per_advert``), ``pending`` in the ledger."""
        written = 0
        radar = self.config.radar
        for name in sorted({m.search for m in matches}):
            search = self.config.alerts[name]
            group_all = [m for m in matches if m.search == name]
            size = 1 if search.delivery == "per_advert" else MAX_PER_MAIL
            query = compile_search(search)
            recipients = self.config.recipients_for(search)
            for start in range(0, len(group_all), size):
                group = group_all[start : start + size]
                adverts = fetch_for_mail(self.client, self.alias, query, [m.advert_id for m in group])
                views = [
                    view_of(
                        m.advert_id,
                        adverts[m.advert_id].source if m.advert_id in adverts else None,
                        adverts[m.advert_id].highlights if m.advert_id in adverts else {},
                        language=search.language,
                        timezone=radar.timezone,
                    )
                    for m in group
                ]
                mail = compose(
                    search_name=name, description=search.description, adverts=views, language=search.language,
                    sender=radar.smtp.sender, recipients=recipients, at=at, timezone=radar.timezone,
                )  # fmt: skip
                subject, body = mark_backfill(mail.body, self.version)
                self.ledger.add_mail(
                    message_id=mail.message_id, search=name, recipients=recipients, subject=subject,
                    body=body, matches=group, at=at,
                )  # fmt: skip
                written += 1
        return written

    def deliver(self, at: datetime) -> DeliveryReport:
        """Send every due mail now (what the scheduler's delivery would do next)."""
        with exclusive(self.lock_path):
            return send_due(self.ledger, smtp_settings(self.config), at)


def backfilled(ledger: Ledger, search: str | None = None) -> list[tuple[str, str, str, str]]:
    """(search, cluster, document id, keywords version) of every back-fill recorded."""
    ledger.db.executescript(_SCHEMA)
    where, params = ("WHERE search = ?", (search,)) if search else ("", ())
    rows = ledger.db.execute(
        # `where` is one of two fixed texts; the value is a parameter.
        "SELECT search, cluster, advert_id, keywords_version FROM backfill_matches "  # noqa: S608
        f"{where} ORDER BY matched_at",
        params,
    )
    return [(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]
