"""Alert mails as complete messages: subject, headers and multipart text + HTML from the templates.

The message is composed once, stored in the ledger as bytes and sent unchanged on every
attempt, so a retry is byte-for-byte the mail that was first tried (same Message-ID).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from functools import cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from alerts.advert_view import AdvertView
from alerts.wording import count_phrase, words

# Set on a re-send after an attempt that died mid-way; its value is the first attempt's time.
POSSIBLE_DUPLICATE_HEADER = "X-Smokkelradar-Possible-Duplicate"
SEARCH_HEADER = "X-Smokkelradar-Search"
ADVERTS_HEADER = "X-Smokkelradar-Adverts"


def new_message_id(sender: str) -> str:
    """A unique Message-ID in the sender's domain, short enough to stay on one header line."""
    return f"<{uuid.uuid4().hex}@{sender.rpartition('@')[2] or 'smokkelradar.invalid'}>"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("alerts", "templates"),
        # The HTML template escapes everything; the text part must show '<' as '<', not '&lt;'.
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class Composed:
    message_id: str
    subject: str
    body: bytes


def subject_for(search_name: str, count: int, language: str) -> str:
    """``smokkelradar [libya-italy-sea]: 3 nieuwe advertenties``."""
    return f"smokkelradar [{search_name}]: {count_phrase(language, count)}"


def compose(
    *,
    search_name: str,
    description: str,
    adverts: Sequence[AdvertView],
    language: str,
    sender: str,
    recipients: Sequence[str],
    at: datetime,
    timezone: str,
) -> Composed:
    """One mail about ``adverts`` (a digest, or a single advert for per-advert delivery)."""
    subject = subject_for(search_name, len(adverts), language)
    local = at.astimezone(ZoneInfo(timezone))
    context = {
        "w": words(language),
        "language": language,
        "subject": subject,
        "search_name": search_name,
        "description": description,
        "count_phrase": count_phrase(language, len(adverts)),
        "adverts": adverts,
        "generated": local.strftime("%Y-%m-%d %H:%M %Z"),
    }
    environment = _environment()
    text = environment.get_template("alert.txt.j2").render(context)
    html = environment.get_template("alert.html.j2").render(context)

    message_id = new_message_id(sender)
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = format_datetime(local)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    message[SEARCH_HEADER] = search_name
    message[ADVERTS_HEADER] = ", ".join(advert.advert_id for advert in adverts)
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return Composed(message_id=message_id, subject=subject, body=message.as_bytes())


def flag_possible_duplicate(body: bytes, first_attempt: datetime) -> bytes:
    """The stored message with the possible-duplicate header in front (headers may come in any order)."""
    value = f"yes; interrupted attempt at {first_attempt.isoformat(timespec='seconds')}"
    return f"{POSSIBLE_DUPLICATE_HEADER}: {value}\r\n".encode("ascii") + body


def maintenance_message(
    *, subject: str, text: str, sender: str, recipients: Sequence[str], at: datetime
) -> EmailMessage:
    """A plain-text mail to the analysts (source health, invalid configuration)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = new_message_id(sender)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, charset="utf-8")
    return message
