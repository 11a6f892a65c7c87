"""The demo mailbox is a real SMTP server: mail sent to it lands in its Maildir."""

from __future__ import annotations

import smtplib
import socket
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alerts.mailbox import arrived, start_server
from radar import daemon
from radar.cli import app

pytestmark = pytest.mark.smtp


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _send(port: int, subject: str) -> None:
    message = EmailMessage()
    message["From"] = "radar@demo.invalid"
    message["To"] = "mdt@demo.invalid"
    message["Subject"] = subject
    message.set_content("Nieuwe advertentie: Zuwara → Lampedusa")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(message)


def test_mail_sent_over_smtp_is_listed(tmp_path: Path) -> None:
    port = _free_port()
    controller = start_server("127.0.0.1", port, tmp_path / "maildir")
    try:
        _send(port, "smokkelradar: 1 nieuwe match — Libië → Italië")
    finally:
        controller.stop()
    mails = list(arrived(tmp_path / "maildir"))
    assert [m.subject for m in mails] == ["smokkelradar: 1 nieuwe match — Libië → Italië"]
    assert mails[0].recipients == "mdt@demo.invalid"

    result = CliRunner().invoke(app, ["mailbox", "--maildir", str(tmp_path / "maildir")])
    assert result.exit_code == 0, result.output
    assert "Libië → Italië" in result.output
    assert "1 mail(s)" in result.output


def test_mailbox_runs_as_a_background_service(tmp_path: Path) -> None:
    port = _free_port()
    maildir = tmp_path / "maildir"
    service = daemon.Service(
        "mailbox",
        (sys.executable, "-m", "radar", "mailbox", "serve", "--port", str(port), "--maildir", str(maildir)),
        port,
    )
    run_dir = tmp_path / "run"
    pid = daemon.start(service, run_dir)
    try:
        assert daemon.read_pid(service.pidfile(run_dir)) == pid
        assert daemon.start(service, run_dir) == pid  # idempotent: a second start finds it running
        _send(port, "tweede")
    finally:
        assert daemon.stop(service, run_dir) is True
    assert not daemon.port_open("127.0.0.1", port)
    assert daemon.stop(service, run_dir) is False
    assert [m.subject for m in arrived(maildir)] == ["tweede"]


def test_start_refuses_a_port_someone_else_holds(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = int(holder.getsockname()[1])
        service = daemon.Service("mailbox", (sys.executable, "-c", "pass"), port)
        with pytest.raises(Exception, match=r"SR-E300: mailbox: port 127\.0\.0\.1:\d+ is already in use"):
            daemon.start(service, tmp_path)
