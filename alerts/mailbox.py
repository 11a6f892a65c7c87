"""The demo mailbox: a real SMTP server on 127.0.0.1 that delivers into a Maildir.

It stands in for the MDT mailbox in the demo run and lets an operator read
what the alerting sent (``smokkelradar mailbox``). It is a genuine SMTP
server (aiosmtpd), so the alert code talks real SMTP to it.
"""

from __future__ import annotations

import mailbox
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox as MaildirHandler


@dataclass(frozen=True)
class ArrivedMail:
    """What an operator needs to see of one delivered message."""

    key: str
    date: str
    sender: str
    recipients: str
    subject: str
    message_id: str


def _header(message: Message, name: str) -> str:
    raw = message.get(name)
    return "" if raw is None else str(make_header(decode_header(str(raw))))


def arrived(maildir: Path) -> Iterator[ArrivedMail]:
    """Every message in ``maildir``, oldest first."""
    if not (maildir / "cur").is_dir() and not (maildir / "new").is_dir():
        return
    box = mailbox.Maildir(maildir, create=False)
    entries = sorted(box.items(), key=lambda item: item[1].get_date())
    for key, message in entries:
        yield ArrivedMail(
            key=key,
            date=_header(message, "Date"),
            sender=_header(message, "From"),
            recipients=_header(message, "To"),
            subject=_header(message, "Subject"),
            message_id=_header(message, "Message-ID"),
        )


def start_server(host: str, port: int, maildir: Path) -> Controller:
    """Start the SMTP server in a background thread; the caller stops it."""
    # Maildir(create=True) only builds tmp/new/cur when the folder itself is
    # missing; make them explicitly so a pre-created folder works too.
    for sub in ("tmp", "new", "cur"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    controller = Controller(MaildirHandler(maildir), hostname=host, port=port)
    controller.start()
    return controller


def serve_forever(host: str, port: int, maildir: Path) -> None:
    """Run the SMTP server until SIGTERM or SIGINT."""
    controller = start_server(host, port, maildir)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    try:
        done.wait()
    finally:
        controller.stop()
