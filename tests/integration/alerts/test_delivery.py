"""Mail delivery against a real SMTP server (aiosmtpd on 127.0.0.1 with STARTTLS and AUTH):
accepted once, retried while refused or down, and a process killed between the server's
acceptance and the ledger write recovers with at most one flagged duplicate."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from alerts.advert_view import view_of
from alerts.compose import POSSIBLE_DUPLICATE_HEADER, compose
from alerts.delivery import Backoff, send_due
from alerts.ledger import Ledger, Match
from alerts.smtp import DeliveryError, SmtpSettings, send
from tests.integration.alerts.support import SMTP_PASSWORD, SMTP_USER, CertificateFiles, LocalMailServer

pytestmark = [
    pytest.mark.smtp,
    # aiosmtpd itself touches its own deprecated Session.login_data on every successful AUTH.
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning"),
]

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BACKOFF = Backoff(first=timedelta(seconds=10), cap=timedelta(minutes=5))


def _queue_mail(ledger: Ledger, search: str, cluster: str, at: datetime = T0) -> str:
    """One composed alert about one advert, recorded as pending (as alerts.digest does)."""
    match = Match(search, cluster, f"doc-{cluster}")
    with ledger.transaction() as db:
        ledger.record_matches(db, [match], at)
    view = view_of(
        match.advert_id,
        {
            "advert_id": f"advert-{cluster}",
            "text": f"Boat to Italy, advert {cluster}",
            "route": {"origin": "LY"},
        },
        {},
        language="en",
        timezone="Europe/Amsterdam",
    )
    mail = compose(
        search_name=search,
        description="",
        adverts=[view],
        language="en",
        sender="radar@test.invalid",
        recipients=["mdt@test.invalid"],
        at=at,
        timezone="Europe/Amsterdam",
    )
    ledger.add_mail(
        message_id=mail.message_id,
        search=search,
        recipients=["mdt@test.invalid"],
        subject=mail.subject,
        body=mail.body,
        matches=[match],
        at=at,
    )
    return mail.message_id


def test_starttls_and_login_deliver_the_message(
    mail_server: LocalMailServer, smtp_settings: SmtpSettings
) -> None:
    send(smtp_settings, b"Subject: hello\r\nFrom: radar@test.invalid\r\n\r\nbody\r\n", ["mdt@test.invalid"])
    assert [m.header("Subject") for m in mail_server.received] == ["hello"]
    assert mail_server.received[0].recipients == ["mdt@test.invalid"]
    assert mail_server.state.logins == [SMTP_USER.encode()]


def test_a_wrong_password_is_a_delivery_error(
    mail_server: LocalMailServer, smtp_settings: SmtpSettings
) -> None:
    wrong = SmtpSettings(**{**vars(smtp_settings), "password": SecretStr("not it")})
    with pytest.raises(DeliveryError, match="refused the login"):
        send(wrong, b"Subject: x\r\n\r\nx\r\n", ["mdt@test.invalid"])
    assert mail_server.received == []


def test_a_certificate_for_another_name_is_refused(
    mail_server: LocalMailServer, smtp_settings: SmtpSettings, tmp_path: Path
) -> None:
    # Same server, but the client trusts only an unrelated CA: the TLS handshake must fail.
    from tests.integration.alerts.support import make_certificates

    other = make_certificates(tmp_path / "other")
    untrusting = SmtpSettings(**{**vars(smtp_settings), "ca_file": other.ca_file})
    with pytest.raises(DeliveryError) as caught:
        send(untrusting, b"Subject: x\r\n\r\nx\r\n", ["mdt@test.invalid"])
    assert caught.value.unreachable
    assert mail_server.received == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls(certificates: CertificateFiles, trust_test_ca: None) -> None:
    server = LocalMailServer(certificates, tls="implicit")
    server.start()
    try:
        settings = SmtpSettings(
            "127.0.0.1",
            server.port,
            "implicit",
            SMTP_USER,
            SecretStr(SMTP_PASSWORD),
            "radar@test.invalid",
            5.0,
        )
        send(settings, b"Subject: over implicit TLS\r\n\r\nx\r\n", ["mdt@test.invalid"])
    finally:
        server.stop()
    assert [m.header("Subject") for m in server.received] == ["over implicit TLS"]


def test_refused_for_a_while_then_accepted_delivers_each_mail_once(
    mail_server: LocalMailServer, smtp_settings: SmtpSettings, tmp_path: Path
) -> None:
    ledger = Ledger(tmp_path / "alerts.sqlite")
    ids = [_queue_mail(ledger, "sea", cluster) for cluster in ("c1", "c2")]
    mail_server.state.refusing = True

    first = send_due(ledger, smtp_settings, T0, BACKOFF)
    assert (first.sent, first.failed) == (0, 2)
    assert "451" in first.errors[0]
    # Not due yet: nothing is tried before the backoff has passed.
    assert send_due(ledger, smtp_settings, T0 + timedelta(seconds=5), BACKOFF).failed == 0
    second = send_due(ledger, smtp_settings, T0 + timedelta(seconds=11), BACKOFF)
    assert second.failed == 2
    assert [m.attempts for m in ledger.mails()] == [2, 2]
    assert all(m.next_attempt_at == T0 + timedelta(seconds=31) for m in ledger.mails())

    mail_server.state.refusing = False
    third = send_due(ledger, smtp_settings, T0 + timedelta(seconds=31), BACKOFF)
    assert (third.sent, third.failed) == (2, 0)
    assert send_due(ledger, smtp_settings, T0 + timedelta(hours=1), BACKOFF).sent == 0

    assert sorted(m.header("Message-ID") or "" for m in mail_server.received) == sorted(ids)
    assert [m.state for m in ledger.mails()] == ["sent", "sent"]


def test_server_down_keeps_mail_queued_and_delivers_when_back(
    certificates: CertificateFiles, trust_test_ca: None, tmp_path: Path
) -> None:
    server = LocalMailServer(certificates)  # not started: connections are refused
    settings = SmtpSettings(
        "127.0.0.1", server.port, "starttls", SMTP_USER, SecretStr(SMTP_PASSWORD), "radar@test.invalid", 5.0
    )
    ledger = Ledger(tmp_path / "alerts.sqlite")
    for cluster in ("c1", "c2", "c3"):
        _queue_mail(ledger, "sea", cluster)

    down = send_due(ledger, settings, T0, BACKOFF)
    # One connection attempt, then the others wait too instead of each timing out.
    assert (down.sent, down.failed) == (0, 1)
    assert [m.attempts for m in ledger.mails()] == [1, 0, 0]
    assert {m.next_attempt_at for m in ledger.mails()} == {T0 + timedelta(seconds=10)}

    server.start()
    try:
        back = send_due(ledger, settings, T0 + timedelta(seconds=10), BACKOFF)
    finally:
        server.stop()
    assert back.sent == 3
    assert len(server.received) == 3
    assert len({m.header("Message-ID") for m in server.received}) == 3


KILLED_SENDER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime, UTC
    from pathlib import Path
    from pydantic import SecretStr
    from alerts import ledger as ledger_module
    from alerts.delivery import send_due
    from alerts.smtp import SmtpSettings

    def die(*args, **kwargs):
        # The SMTP server has just accepted the message; the ledger write never happens.
        os.kill(os.getpid(), signal.SIGKILL)

    ledger_module.Ledger.mark_sent = die
    port, password, ca = int(sys.argv[2]), os.environ["SMOKKELRADAR_SMTP_PASSWORD"], Path(sys.argv[3])
    settings = SmtpSettings(
        "127.0.0.1", port, "starttls", "radar", SecretStr(password), "radar@test.invalid", 5.0, ca
    )
    send_due(ledger_module.Ledger(Path(sys.argv[1])), settings, datetime.now(UTC))
    """
)


def test_killed_between_acceptance_and_ledger_write_gives_at_most_one_flagged_duplicate(
    mail_server: LocalMailServer, smtp_settings: SmtpSettings, certificates: CertificateFiles, tmp_path: Path
) -> None:
    path = tmp_path / "alerts.sqlite"
    ledger = Ledger(path)
    message_id = _queue_mail(ledger, "sea", "c1")
    ledger.close()

    child = subprocess.run(
        [sys.executable, "-c", KILLED_SENDER, str(path), str(mail_server.port), str(certificates.ca_file)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == -9, child.stderr.decode()
    assert [m.header("Message-ID") for m in mail_server.received] == [message_id]
    ledger = Ledger(path)
    assert [m.state for m in ledger.mails()] == ["sending"]

    # The next run holds the lock, so the 'sending' row can only be the dead process's: re-send, flagged.
    report = send_due(ledger, smtp_settings, datetime.now(UTC) + timedelta(seconds=1), BACKOFF)
    assert (report.sent, report.flagged) == (1, 1)
    first, second = mail_server.received
    assert first.header(POSSIBLE_DUPLICATE_HEADER) is None
    assert (second.header(POSSIBLE_DUPLICATE_HEADER) or "").startswith("yes")
    assert second.header("Message-ID") == message_id  # the same message, so clients can fold the pair
    [mail] = ledger.mails()
    assert mail.state == "sent" and mail.interrupted_at is not None

    assert send_due(ledger, smtp_settings, datetime.now(UTC) + timedelta(hours=1), BACKOFF).sent == 0
    assert len(mail_server.received) == 2  # the bound: one extra copy, never more
