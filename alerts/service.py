"""The alert service: match new adverts, compose mails when a cadence comes round, send them.

One object per process, built from the configuration by :func:`open_service`. The scheduler's
jobs, the ``alerts`` stage of ``smokkelradar run`` and the ``smokkelradar alerts`` commands all
go through it. Every public method takes the delivery lock, so two processes never match,
compose or send at the same time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from alerts.compile import compile_search
from alerts.delivery import Backoff, DeliveryReport, send_due
from alerts.digest import MailContext, compose_queued
from alerts.ledger import Ledger, Match, now_utc
from alerts.lock import exclusive
from alerts.matcher import Matcher, ReverseSearchMatcher
from alerts.new_adverts import DEFAULT_BATCH, DEFAULT_OVERLAP, Checkpoint, scan
from alerts.saved_index import match_batches_index, saved_searches_index
from alerts.smtp import SmtpSettings
from indexer.templates import IndexNames
from radar.config.loaded import Config
from radar.config.secrets import read_secrets
from radar.logs import get_logger

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = get_logger("alerts.service")

LEDGER_FILE = "alerts.sqlite"
LOCK_FILE = "alerts.lock"


@dataclass
class RunCounts:
    """What one run did, for the run history and the cycle summary."""

    adverts_checked: int = 0
    new_matches: int = 0
    mails_composed: int = 0
    delivery: DeliveryReport = field(default_factory=DeliveryReport)

    def as_dict(self) -> dict[str, int]:
        return {
            "adverts checked": self.adverts_checked,
            "new matches": self.new_matches,
            "mails composed": self.mails_composed,
            "alerts sent": self.delivery.sent,
            "send failures": self.delivery.failed,
        }


class AlertService:
    def __init__(
        self,
        config: Config,
        client: Elasticsearch,
        smtp: SmtpSettings,
        *,
        ledger: Ledger | None = None,
        matcher: Matcher | None = None,
        backoff: Backoff = Backoff(),
        batch_size: int = DEFAULT_BATCH,
        overlap: timedelta = DEFAULT_OVERLAP,
    ) -> None:
        self.config = config
        self.client = client
        self.smtp = smtp
        self.backoff = backoff
        self.batch_size = batch_size
        state = config.radar.data.state
        self.ledger = ledger or Ledger(state / LEDGER_FILE)
        self.lock_path = state / LOCK_FILE
        names = IndexNames(config.radar.elasticsearch.index_prefix)
        self.adverts_alias = names.alias
        self.matcher: Matcher = matcher or ReverseSearchMatcher(
            client, names.alias, saved_searches_index(names.prefix), match_batches_index(names.prefix)
        )
        self.checkpoint = Checkpoint(self.ledger.db, overlap)
        self._context = MailContext(client, names.alias, config.radar.smtp.sender, config.radar.timezone)
        self._synced = False

    def close(self) -> None:
        self.ledger.close()

    # ------------------------------------------------------------------ steps

    def sync_searches(self) -> None:
        """Store the configuration's saved searches in the saved-search index."""
        with exclusive(self.lock_path):
            self._sync()

    def _sync(self) -> None:
        recipients = {name: self.config.recipients_for(search) for name, search in self.config.alerts.items()}
        self.matcher.sync(self.config.alerts, recipients)
        self._synced = True

    def match_new(self) -> tuple[int, int]:
        """Match every advert indexed since the checkpoint; (adverts checked, new matches queued)."""
        with exclusive(self.lock_path):
            return self._match_new()

    def _match_new(self) -> tuple[int, int]:
        if not self._synced:  # the saved-search index holds this configuration's searches from now on
            self._sync()
        self.client.options(ignore_status=404).indices.refresh(index=self.adverts_alias)
        checked = queued = 0
        for page in scan(self.client, self.adverts_alias, self.checkpoint.scan_from(), self.batch_size):
            fresh = self.checkpoint.unmatched(page)
            clusters = {advert.doc_id: advert.cluster for advert in fresh}
            hits = self.matcher.match(list(clusters))
            matches = [Match(hit.search, clusters[hit.doc_id], hit.doc_id) for hit in hits]
            with self.ledger.transaction() as db:
                queued += self.ledger.record_matches(db, matches, now_utc())
                self.checkpoint.advance(db, fresh)
            checked += len(fresh)
        if checked:
            log.info("matched new adverts", extra={"adverts": checked, "new_matches": queued})
        return checked, queued

    def compose(self, names: Iterable[str], at: datetime) -> int:
        """Write mails for the queued matches of the named saved searches (unknown names are skipped)."""
        with exclusive(self.lock_path):
            return self._compose(names, at)

    def _compose(self, names: Iterable[str], at: datetime) -> int:
        written = 0
        for name in names:
            search = self.config.alerts.get(name)
            if search is None or not search.enabled:
                continue
            query = compile_search(search)
            recipients = self.config.recipients_for(search)
            written += compose_queued(self.ledger, self._context, search, query, recipients, at)
        return written

    def deliver(self, at: datetime | None = None) -> DeliveryReport:
        """Send every due mail (first attempts and retries)."""
        with exclusive(self.lock_path):
            return send_due(self.ledger, self.smtp, at or now_utc(), self.backoff)

    # ------------------------------------------------------------------ what the jobs run

    def immediate_names(self) -> list[str]:
        return [s.name for s in self.config.enabled_alerts() if s.cadence.kind == "immediate"]

    def run_immediate(self, at: datetime | None = None) -> RunCounts:
        """After a drain: match the new adverts, mail the immediate searches, send what is due."""
        moment = at or now_utc()
        counts = RunCounts()
        with exclusive(self.lock_path):
            counts.adverts_checked, counts.new_matches = self._match_new()
            counts.mails_composed = self._compose(self.immediate_names(), moment)
            counts.delivery = send_due(self.ledger, self.smtp, moment, self.backoff)
        return counts

    def run_cadence(self, name: str, at: datetime | None = None) -> RunCounts:
        """A saved search's cadence came round: match first (nothing new is left behind), then mail it."""
        moment = at or now_utc()
        counts = RunCounts()
        with exclusive(self.lock_path):
            counts.adverts_checked, counts.new_matches = self._match_new()
            counts.mails_composed = self._compose([name], moment)
            counts.delivery = send_due(self.ledger, self.smtp, moment, self.backoff)
        return counts


def smtp_settings(config: Config, ca_file: Path | None = None) -> SmtpSettings:
    """SMTP settings from radar.yaml, the password from SMOKKELRADAR_SMTP_PASSWORD."""
    return SmtpSettings.from_config(config.radar.smtp, read_secrets(config.radar).smtp_password, ca_file)


def open_service(config: Config, client: Elasticsearch | None = None) -> AlertService:
    """The service for ``config``, with a client built from radar.yaml unless one is given."""
    from indexer.client import make_client

    return AlertService(config, client or make_client(config.radar.elasticsearch), smtp_settings(config))
