"""Turning queued matches into mails when a saved search's cadence comes round.

``digest`` delivery puts every queued advert of the search in one mail (split in parts of
``MAX_PER_MAIL`` so a burst stays readable); ``per_advert`` makes one mail per advert. Each
mail is written to the ledger as ``pending`` together with its matches before anything is
sent; ``alerts.delivery`` sends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from alerts.advert_view import view_of
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


def _groups(search: SavedSearch, matches: Sequence[Match]) -> list[list[Match]]:
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
    """Write mails for every queued match of ``search``; return how many mails were written."""
    matches = ledger.queued(search.name)
    written = 0
    for group in _groups(search, matches):
        # Fetched per mail: a burst of thousands of matches never becomes one huge request.
        adverts = fetch_for_mail(
            context.client, context.adverts_alias, query, [match.advert_id for match in group]
        )
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
        ledger.add_mail(
            message_id=mail.message_id,
            search=search.name,
            recipients=recipients,
            subject=mail.subject,
            body=mail.body,
            matches=group,
            at=at,
        )
        written += 1
    return written
