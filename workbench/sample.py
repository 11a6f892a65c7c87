"""Reading indexed adverts for the workbench: a random sample (``keywords diff``) and filters
shared with ``reenrich`` (``--since``, ``--source``).

The sample is drawn by Elasticsearch (``random_score`` with a fixed seed over ``_seq_no``), so
the same seed on the same index gives the same adverts, and no advert text leaves the cluster
that is not part of the sample.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from radar.config.types import parse_duration
from radar.errors import Code, RadarError
from workbench.enriched import SOURCE_FIELDS

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

PAGE = 5000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Stored:
    """One indexed advert as the workbench reads it."""

    doc_id: str
    source: dict[str, Any]


def since_moment(text: str, now: datetime | None = None) -> datetime:
    """``30d`` (a duration back from now) or ``2026-05-01`` / an ISO time (UTC), as a moment."""
    now = now or datetime.now(UTC)
    if _DATE.match(text):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as error:
            raise RadarError(Code.CONFIG_WRONG_TYPE, f"--since {text!r} is not a date") from error
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time.min)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        window: timedelta = parse_duration(text)
        return now - window
    except ValueError as error:
        raise RadarError(Code.CONFIG_WRONG_TYPE, f"--since: {error}") from error


def window_filters(since: datetime | None, sources: Sequence[str]) -> list[dict[str, Any]]:
    """Adverts dated (posted, else fetched) since ``since``, of the given sources."""
    clauses: list[dict[str, Any]] = []
    if since is not None:
        clauses.append({"range": {"date": {"gte": since.astimezone(UTC).isoformat()}}})
    if sources:
        clauses.append({"terms": {"source": list(sources)}})
    return clauses


def fetch_sample(
    client: Elasticsearch,
    alias: str,
    size: int,
    *,
    since: datetime | None = None,
    sources: Sequence[str] = (),
    seed: int = 7,
) -> list[Stored]:
    """Up to ``size`` adverts drawn at random (reproducibly, by ``seed``) from the window."""
    query = {
        "function_score": {
            "query": {"bool": {"filter": window_filters(since, sources)}},
            "random_score": {"seed": seed, "field": "_seq_no"},
            "boost_mode": "replace",
        }
    }
    found: list[Stored] = []
    after: list[Any] | None = None
    while len(found) < size:
        wanted = min(PAGE, size - len(found))
        page = client.search(
            index=alias,
            query=query,
            sort=[{"_score": "desc"}, {"advert_id": "asc"}],
            size=wanted,
            search_after=after,
            source_includes=list(SOURCE_FIELDS),
            track_total_hits=False,
        )
        hits = page["hits"]["hits"]
        found += [Stored(hit["_id"], hit["_source"]) for hit in hits]
        if len(hits) < wanted:
            break
        after = hits[-1]["sort"]
    if not found:
        raise RadarError(Code.WORKBENCH_NO_ADVERTS, f"no indexed adverts in {alias} match the window")
    return found
