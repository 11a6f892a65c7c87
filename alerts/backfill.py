"""Back-fill alerts: adverts that match a saved search only because re-enrichment changed their tags.

``smokkelradar reenrich`` finds them (workbench/reenrich/backfill.py) and records each in the
ledger as an ordinary queued match plus a row of ``backfill_matches`` (same transaction,
``Ledger.record_backfills``). From there a back-fill follows the rules of every match: once per
(saved search, near-duplicate cluster), mailed when the search's cadence comes round, in its
digest or one mail per advert. Only the mail differs: back-fills of a search go in mails of their
own whose subject ends in ``[back-fill]`` and which carry the header ``X-Smokkelradar-Backfill``
naming the keywords version that found them, so the MDT can tell an old advert newly found from a
new one.
"""

from __future__ import annotations

import email
from collections.abc import Iterable
from email.message import EmailMessage
from email.policy import SMTP

BACKFILL_HEADER = "X-Smokkelradar-Backfill"
SUBJECT_MARKER = "[back-fill]"


def mark_backfill(body: bytes, versions: Iterable[str]) -> tuple[str, bytes]:
    """The composed mail with the back-fill subject marker and header: (subject, bytes)."""
    message = email.message_from_bytes(body, policy=SMTP)
    if not isinstance(message, EmailMessage):  # pragma: no cover - policy=SMTP always builds one
        raise TypeError("not an email message")
    subject = f"{message['Subject']} {SUBJECT_MARKER}"
    message.replace_header("Subject", subject)
    message[BACKFILL_HEADER] = f"keywords {', '.join(sorted(set(versions)))}; matched after re-enrichment"
    return subject, message.as_bytes()
