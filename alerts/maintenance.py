"""Maintenance mails to the analysts' address: a source gone quiet, selectors that stopped
matching, a job that keeps failing, a configuration edit that does not validate.

These go to ``analysts_mailbox`` (never the MDT mailbox), in plain text, straight over SMTP:
the caller (the scheduler's incident book-keeping) records that an incident was mailed only
after this returns, so a mail server that is down just means the mail is tried again later.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime

from alerts import smtp
from alerts.compose import maintenance_message
from alerts.ledger import now_utc


def send_maintenance(
    settings: smtp.SmtpSettings,
    recipients: Sequence[str],
    subject: str,
    text: str,
    at: datetime | None = None,
) -> str:
    """Send one maintenance mail; return its Message-ID. Raises ``smtp.DeliveryError`` when not accepted."""
    message = maintenance_message(
        subject=f"smokkelradar onderhoud / maintenance: {subject}",
        text=text,
        sender=settings.sender,
        recipients=recipients,
        at=at or now_utc(),
    )
    # Accepted for at least one analyst is enough: the incident is known.
    with suppress(smtp.PartialDeliveryError):
        smtp.send(settings, message.as_bytes(), recipients)
    return str(message["Message-ID"])
