"""Turning queued matches into mails when a saved search's cadence comes round.

``digest`` delivery puts every queued advert of the search in one mail (split in parts of
``MAX_PER_MAIL`` so a burst stays readable); ``per_advert`` makes one mail per advert. Back-fills
found by re-enrichment wait for the same cadence and go in marked mails of their own. Each
mail is written to the ledger as ``pending`` together with its matches before anything is
sent; ``alerts.delivery`` sends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from alerts.advert_view import view_of
from alerts.backfill import mark_backfill
from alerts.compose import compose
from alerts.fetch import fetch_for_mail
from alerts.ledger import Ledger, Match
from radar.config.alerts import SavedSearch

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

MAX_PER_MAIL = 50


@dataclass(frozen=True)
class MailContext:
    """What every mail needs besides its adverts."""

    client: Elasticsearch
    adverts_alias: str
    sender: str
    timezone: str


def mail_groups(search: SavedSearch, matches: Sequence[Match]) -> list[list[Match]]:
    """The matches of one search cut into mails: one per advert (``per_advert``) or digests of at
    most ``MAX_PER_MAIL``."""
    if search.delivery == "per_advert":
        return [[match] for match in matches]
    return [list(matches[start : start + MAX_PER_MAIL]) for start in range(0, len(matches), MAX_PER_MAIL)]


def compose_queued(
    ledger: Ledger,
    context: MailContext,
    search: SavedSearch,
    query: dict[str, Any] | None,
    recipients: Sequence[str],
    at: datetime,
) -> int:
    """Write mails for every queued match of ``search``; return how many mails were written.

    Back-fills (matches found by re-enrichment, alerts/backfill.py) go in mails of their own,
    marked as such; otherwise they follow the same cadence and grouping as every match."""
    matches = ledger.queued(search.name)
    backfills = ledger.queued_backfills(search.name) if matches else {}
    ordinary = [match for match in matches if match.cluster not in backfills]
    late = [match for match in matches if match.cluster in backfills]
    written = 0
    for group in mail_groups(search, ordinary):
        written += _write_mail(ledger, context, search, query, recipients, at, group)
    for group in mail_groups(search, late):
        versions = [backfills[match.cluster] for match in group]
        written += _write_mail(ledger, context, search, query, recipients, at, group, versions)
    return written


def _write_mail(
    ledger: Ledger,
    context: MailContext,
    search: SavedSearch,
    query: dict[str, Any] | None,
    recipients: Sequence[str],
    at: datetime,
    group: Sequence[Match],
    backfill_versions: Sequence[str] = (),
) -> int:
    """Compose one mail about ``group`` and store it ``pending`` with its matches."""
    # Fetched per mail: a burst of thousands of matches never becomes one huge request.
    ids = [match.advert_id for match in group]
    adverts = fetch_for_mail(context.client, context.adverts_alias, query, ids)
    views = [
        view_of(
            match.advert_id,
            adverts[match.advert_id].source if match.advert_id in adverts else None,
            adverts[match.advert_id].highlights if match.advert_id in adverts else {},
            language=search.language,
            timezone=context.timezone,
        )
        for match in group
    ]
    mail = compose(
        search_name=search.name,
        description=search.description,
        adverts=views,
        language=search.language,
        sender=context.sender,
        recipients=recipients,
        at=at,
        timezone=context.timezone,
    )
    subject, body = mail.subject, mail.body
    if backfill_versions:
        subject, body = mark_backfill(body, backfill_versions)
    ledger.add_mail(
        message_id=mail.message_id,
        search=search.name,
        recipients=recipients,
        subject=subject,
        body=body,
        matches=group,
        at=at,
    )
    return 1
