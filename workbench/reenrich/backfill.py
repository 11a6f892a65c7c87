"""Back-fill alerts: an advert that matches a saved search only because its tags changed is alerted once.

Re-enrichment does not touch ``indexed_at``, so the alert matcher's scan of new adverts never sees a
re-tagged advert; this module takes its place for them. For every page of re-tagged adverts the
saved searches are matched (the alert matcher itself, ``alerts.matcher.ReverseSearchMatcher``)
before the update and after it; a pair that matches only after is *newly* matching. It goes
into the alert ledger (``alerts.ledger``) as a queued match, keyed by (saved search,
near-duplicate cluster), so an advert (or a repost of it) already alerted for that search is
never alerted again, and a back-fill is recorded once; ``backfill_matches`` in the same file
marks it as a back-fill (same transaction). From there it is an ordinary match: the alert
service mails it when the search's cadence comes round, in a mail of its own marked
``[back-fill]`` (``alerts.backfill``, ``alerts.digest.compose_queued``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from alerts.backfill import BACKFILL_HEADER, SUBJECT_MARKER, mark_backfill
from alerts.delivery import DeliveryReport
from alerts.ledger import Ledger, Match
from alerts.lock import exclusive
from alerts.matcher import ReverseSearchMatcher
from alerts.saved_index import match_batches_index, saved_searches_index
from alerts.service import LEDGER_FILE, LOCK_FILE, open_service
from indexer.templates import IndexNames
from radar.config.loaded import Config

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

__all__ = ["BACKFILL_HEADER", "SUBJECT_MARKER", "Backfill", "backfilled", "mark_backfill"]

Pair = tuple[str, str]  # (saved search, document id)


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

    def record(self, newly: Collection[Pair], clusters: Mapping[str, str], at: datetime) -> int:
        """Queue the newly matching pairs the ledger has not seen, marked as back-fills; returns how many.

        They wait for their search's cadence like every match."""
        if not newly:
            return 0
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
                self.ledger.record_backfills(db, fresh, self.version, self.run_id, at)
            return len(fresh)

    def deliver(self, at: datetime) -> tuple[int, DeliveryReport]:
        """What the scheduler's next ``alerts:immediate`` run would do, now: mail the queued matches
        of the immediate searches (back-fills among them) and send every due mail.

        Searches with an hourly, daily or weekly cadence keep their back-fills for their own time.
        Returns (mails composed, delivery)."""
        service = open_service(self.config, self.client)
        try:
            composed = service.compose(service.immediate_names(), at)
            return composed, service.deliver(at)
        finally:
            service.close()


def backfilled(ledger: Ledger, search: str | None = None) -> list[tuple[str, str, str, str]]:
    """(search, cluster, document id, keywords version) of every back-fill recorded."""
    return ledger.backfills(search)
