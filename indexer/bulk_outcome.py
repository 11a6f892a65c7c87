"""What became of each document the drain sent, and how that is recorded in the spool.

Elasticsearch answers per document; :func:`sort_answers` files each entry of a round under
acknowledged, rejected for good (dead letter), refused for now (retry) or unanswered, and
:func:`record_outcome` applies that to the spool and counts it in the :class:`DrainReport`.
``indexer.bulk`` runs the rounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from indexer.dedup import NearDuplicates
from indexer.spool import Spool, SpoolEntry

RETRY_STATUSES = (429, 500, 502, 503, 504)
# Per-document errors that say "not now" rather than "never": the entry stays in the spool.
TRANSIENT_ERRORS = frozenset(
    {
        "es_rejected_execution_exception",
        "cluster_block_exception",
        "unavailable_shards_exception",
        "index_not_found_exception",
        "node_closed_exception",
        "circuit_breaking_exception",
    }
)


@dataclass
class DrainReport:
    indexed: int = 0
    dead: int = 0
    retried: int = 0  # entries given back to the spool for a later attempt
    batches: int = 0
    outages: int = 0  # rounds in which Elasticsearch did not answer or refused for now
    cluster_updates: int = 0
    stopped: str = "spool empty"
    reasons: dict[str, int] = field(default_factory=dict)  # dead-letter reasons, counted

    def counts(self) -> dict[str, int]:
        return {
            "indexed": self.indexed,
            "dead": self.dead,
            "retried": self.retried,
            "batches": self.batches,
            "outages": self.outages,
            "cluster_updates": self.cluster_updates,
        }


@dataclass
class RoundOutcome:
    """The entries of one round (one batch sent), by what became of them."""

    acked: list[SpoolEntry] = field(default_factory=list)
    rejected: list[tuple[SpoolEntry, str]] = field(default_factory=list)
    retry: list[tuple[SpoolEntry, str]] = field(default_factory=list)
    unanswered: list[SpoolEntry] = field(default_factory=list)
    failure: str | None = None  # whole-request failure: Elasticsearch unreachable or refusing
    fatal: bool = False  # refusing for a reason waiting will not fix (401, 403)

    @property
    def available(self) -> bool:
        """Whether Elasticsearch took the round: answered, and refused nothing for now."""
        return self.failure is None and not self.retry


def error_reason(status: Any, error: Any) -> str:
    """Elasticsearch's per-document error as one line: ``400 mapper_parsing_exception: ...``."""
    if isinstance(error, Mapping):
        text = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, Mapping):
            text += f" (caused by {cause.get('type', '?')}: {cause.get('reason', '')})"
    else:
        text = str(error)
    return f"{status} {text}"


def is_transient(status: Any, error: Any) -> bool:
    if not isinstance(status, int) or status in RETRY_STATUSES:
        return True
    return isinstance(error, Mapping) and error.get("type") in TRANSIENT_ERRORS


def sort_answers(
    sent: Sequence[tuple[SpoolEntry, str]],
    answers: Iterable[tuple[bool, dict[str, Any]]],
    outcome: RoundOutcome,
) -> RoundOutcome:
    """File each sent ``(entry, document id)`` by ``streaming_bulk``'s answers.

    A failure of the whole request (the transport's errors, an ``ApiError``) ends the
    answers early: what was not answered by then is left unanswered, with the reason.
    """
    by_id = {document_id: entry for entry, document_id in sent}
    answered: set[str] = set()
    try:
        for ok, info in answers:
            result = info.get("index", {})
            entry = by_id[result["_id"]]
            answered.add(result["_id"])
            if ok:
                outcome.acked.append(entry)
                continue
            status, error = result.get("status"), result.get("error")
            if "exception" in result and not isinstance(status, int):
                status = "N/A"
            reason = error_reason(status, error)
            (outcome.retry if is_transient(status, error) else outcome.rejected).append((entry, reason))
    except Exception as error:  # the transport's errors, and ApiError for the whole request
        outcome.failure = f"{type(error).__name__}: {error}"
        outcome.fatal = getattr(error, "status_code", None) in (401, 403)
    outcome.unanswered = [entry for entry, document_id in sent if document_id not in answered]
    return outcome


def record_outcome(spool: Spool, store: NearDuplicates, outcome: RoundOutcome, report: DrainReport) -> None:
    """Acknowledge, bury or give back the round's entries in the spool, and count them."""
    spool.ack(outcome.acked)
    if outcome.rejected:
        spool.bury(outcome.rejected)
        store.forget(entry.advert_id for entry, _ in outcome.rejected)
        for _, reason in outcome.rejected:
            kind = reason.split(":")[0]
            report.reasons[kind] = report.reasons.get(kind, 0) + 1
    for entry, reason in outcome.retry:
        spool.release([entry], reason)
    if outcome.unanswered:
        spool.release(outcome.unanswered, outcome.failure or "no answer from Elasticsearch")
    report.indexed += len(outcome.acked)
    report.dead += len(outcome.rejected)
    report.retried += len(outcome.retry) + len(outcome.unanswered)
