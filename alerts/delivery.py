"""Sending what the ledger holds: every due mail, once, with retries and backoff.

The order of writes is the guarantee (see docs/alerts.md):

1. the mail is in the ledger as ``pending`` (composed earlier, with its Message-ID);
2. ``sending`` is committed, then the SMTP conversation starts;
3. only after the server accepted the message is ``sent`` committed.

A refusal or an unreachable server puts the mail back to ``pending`` with the next attempt
after a backoff (15 s doubling to 30 min); it is never dropped. A process killed between 2 and
3 leaves ``sending``; the next run (holding the delivery lock, so nobody else is mid-attempt)
sends it again with ``X-Smokkelradar-Possible-Duplicate`` in its headers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from alerts import smtp
from alerts.compose import flag_possible_duplicate
from alerts.ledger import Ledger, Mail
from radar.logs import get_logger

log = get_logger("alerts.delivery")


@dataclass(frozen=True)
class Backoff:
    first: timedelta = timedelta(seconds=15)
    cap: timedelta = timedelta(minutes=30)

    def after(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt."""
        wait: timedelta = self.first * (2 ** max(0, attempts - 1))
        return min(self.cap, wait)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    flagged: int = 0  # re-sent as possible duplicates after an interrupted attempt
    errors: list[str] = field(default_factory=list)


def _body(mail: Mail) -> bytes:
    if mail.interrupted_at is None:
        return mail.body
    return flag_possible_duplicate(mail.body, mail.interrupted_at)


def send_due(
    ledger: Ledger, settings: smtp.SmtpSettings, at: datetime, backoff: Backoff = Backoff()
) -> DeliveryReport:
    """Send every pending mail whose attempt is due at ``at``. Call with the delivery lock held."""
    report = DeliveryReport()
    recovered = ledger.recover_interrupted(at)
    if recovered:
        log.warning("re-sending mails whose last attempt was interrupted", extra={"mails": recovered})
    for mail in ledger.due(at):
        ledger.begin_attempt(mail.id)
        try:
            smtp.send(settings, _body(mail), mail.recipients)
        except smtp.PartialDeliveryError as partial:
            # Accepted for some: counts as sent (re-sending would duplicate it for them), loudly logged.
            ledger.mark_sent(mail.id, at, note=str(partial))
            log.error("mail partly refused", extra={"message_id": mail.message_id, "reason": str(partial)})
            report.sent += 1
        except smtp.DeliveryError as error:
            retry_at = at + backoff.after(mail.attempts + 1)
            ledger.mark_failed(mail.id, str(error), retry_at)
            report.failed += 1
            report.errors.append(str(error))
            log.warning(
                "mail not accepted; will retry",
                extra={"message_id": mail.message_id, "reason": str(error), "retry_at": retry_at.isoformat()},
            )
            if error.unreachable:
                _postpone_rest(ledger, at, retry_at)
                break
        else:
            ledger.mark_sent(mail.id, at)
            report.sent += 1
            if mail.interrupted_at is not None:
                report.flagged += 1
            log.info(
                "mail accepted",
                extra={"message_id": mail.message_id, "search": mail.search, "adverts": mail.adverts},
            )
    return report


def _postpone_rest(ledger: Ledger, at: datetime, retry_at: datetime) -> None:
    """The server is unreachable: wait with the other due mails too instead of timing out on each."""
    for mail in ledger.due(at):
        ledger.postpone(mail.id, retry_at)
