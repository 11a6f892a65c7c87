"""Talking SMTP to the mail relay: plain (local servers only), STARTTLS or implicit TLS, with AUTH.

``send`` returns only when the server accepted the message for every recipient, and raises
``DeliveryError`` otherwise, so the caller marks a mail sent exactly when the server took it.
Every failure is treated as temporary: the mail stays queued and is retried with backoff;
a wrong password or a refused recipient shows up in ``smokkelradar alerts sent`` and the logs.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from radar.config.radar import SmtpConfig


class DeliveryError(Exception):
    """The server did not accept the message (down, refused, timed out, rejected a recipient).

    ``unreachable`` is true when no conversation took place (connection refused, time-out, TLS or
    login failure): then the other queued mails are not tried either until the next attempt.
    """

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


@dataclass(frozen=True)
class SmtpSettings:
    """Everything needed to reach the relay, read once from radar.yaml and the environment."""

    host: str
    port: int
    tls: str  # none | starttls | implicit
    username: str | None
    password: SecretStr | None
    sender: str
    timeout: float
    # A CA bundle to trust instead of the system store (tests use their own throw-away CA).
    ca_file: Path | None = None

    @classmethod
    def from_config(
        cls, smtp: SmtpConfig, password: SecretStr | None, ca_file: Path | None = None
    ) -> SmtpSettings:
        return cls(
            host=smtp.host,
            port=smtp.port,
            tls=smtp.tls,
            username=smtp.username,
            password=password,
            sender=smtp.sender,
            timeout=smtp.timeout_seconds,
            ca_file=ca_file,
        )

    def tls_context(self) -> ssl.SSLContext:
        # Certificates and host names are always verified; only the trusted roots can change.
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.tls == "implicit":
        return smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=settings.tls_context()
        )
    client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    if settings.tls == "starttls":
        client.ehlo()
        client.starttls(context=settings.tls_context())
        client.ehlo()
    return client


def send(settings: SmtpSettings, message: bytes, recipients: Sequence[str]) -> None:
    """Hand ``message`` (a complete RFC 5322 message) to the relay for ``recipients``."""
    try:
        client = _connect(settings)
    except (smtplib.SMTPException, OSError) as error:  # ssl.SSLError and timeouts are OSErrors
        raise DeliveryError(
            f"cannot reach {settings.host}:{settings.port}: {error}", unreachable=True
        ) from error
    try:
        with client:
            if settings.username:
                password = settings.password.get_secret_value() if settings.password else ""
                try:
                    client.login(settings.username, password)
                except smtplib.SMTPException as error:
                    raise DeliveryError(
                        f"{settings.host}:{settings.port} refused the login of {settings.username}: {error}",
                        unreachable=True,
                    ) from error
            refused = client.sendmail(settings.sender, list(recipients), message)
    except smtplib.SMTPRecipientsRefused as error:
        raise DeliveryError(f"every recipient was refused: {_refusals(error.recipients)}") from error
    except smtplib.SMTPResponseException as error:
        text = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else error.smtp_error
        )
        raise DeliveryError(f"{settings.host}:{settings.port} answered {error.smtp_code} {text}") from error
    except smtplib.SMTPServerDisconnected as error:
        raise DeliveryError(f"{settings.host}:{settings.port} hung up: {error}", unreachable=True) from error
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"cannot deliver through {settings.host}:{settings.port}: {error}") from error
    if refused:
        # Partly accepted: the accepted recipients have it, so re-sending would duplicate it for them.
        # Report it loudly, but the mail counts as sent.
        raise PartialDeliveryError(f"refused recipients: {_refusals(refused)}")


class PartialDeliveryError(Exception):
    """The server accepted the message for some recipients and refused others."""


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(
        f"{address} ({code} {reply.decode(errors='replace')})" for address, (code, reply) in refused.items()
    )
