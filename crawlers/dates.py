"""When an advert was posted: ISO timestamps, feed dates, and dates as people write them.

``parse_posted(text, languages, now)`` reads absolute dates ("2026-10-03T14:20:00Z",
"03 Oct 2026, 14:20") and relative ones ("2 days ago", "منذ يومين", "۳ روز پیش",
"dün 10:00") with dateparser in the source's languages, relative to the time of the fetch.
dateparser lacks a few phrasings our sources use (Sorani Kurdish, Somali); a small table
below covers those. Results are timezone-aware UTC; an unreadable date gives None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

# Eastern Arabic and Persian digits as ASCII.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ISO = re.compile(r"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?$")

# (pattern, unit) for "<n> <unit> ago" phrasings dateparser does not know; n may be missing (= 1).
_UNITS = {"minutes": 60, "hours": 3600, "days": 86400, "weeks": 7 * 86400}
_FALLBACK: tuple[tuple[re.Pattern[str], str], ...] = (
    # Sorani Kurdish: "٢ ڕۆژ لەمەوبەر" (2 days ago), "٣ کاتژمێر لەمەوبەر" (3 hours ago)
    (re.compile(r"^(\d+)?\s*ڕۆژ\s+لەمەوبەر$"), "days"),
    (re.compile(r"^(\d+)?\s*(?:کاتژمێر|سەعات)\s+لەمەوبەر$"), "hours"),
    (re.compile(r"^(\d+)?\s*خولەک\s+لەمەوبەر$"), "minutes"),
    (re.compile(r"^(\d+)?\s*هەفتە\s+لەمەوبەر$"), "weeks"),
    # Somali: "4 maalmood ka hor" (4 days ago), "3 saacadood ka hor" (3 hours ago)
    (re.compile(r"^(\d+)?\s*maalmo(?:od)?\s+ka\s+hor$", re.IGNORECASE), "days"),
    (re.compile(r"^(\d+)?\s*saacad(?:ood)?\s+ka\s+hor$", re.IGNORECASE), "hours"),
    (re.compile(r"^(\d+)?\s*daqiiqo(?:od)?\s+ka\s+hor$", re.IGNORECASE), "minutes"),
)
# "yesterday" in the same languages.
_YESTERDAY = frozenset({"دوێنێ", "shalay", "shaley"})


def parse_posted(text: str | None, languages: Sequence[str], now: datetime) -> datetime | None:
    """The moment ``text`` names, in UTC; ``now`` (aware) is what relative dates count back from."""
    if not text:
        return None
    cleaned = " ".join(text.split()).translate(_DIGITS)
    if not cleaned:
        return None
    exact = _exact(cleaned)
    if exact is not None:
        return exact
    found = _dateparser(cleaned, tuple(languages), now)
    return found if found is not None else _fallback(cleaned, now)


def _exact(text: str) -> datetime | None:
    """ISO 8601 (datetime attributes, Atom) and RFC 822 (RSS) without guessing."""
    if _ISO.match(text):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return _utc(moment)
    if re.match(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d\d:\d\d", text):
        try:
            return _utc(parsedate_to_datetime(text))
        except (TypeError, ValueError):
            return None
    return None


def _dateparser(text: str, languages: tuple[str, ...], now: datetime) -> datetime | None:
    import dateparser  # slow to import: only when a page shows a date in words

    settings = {
        # dateparser wants a naive base in the time zone it is told about.
        "RELATIVE_BASE": now.astimezone(UTC).replace(tzinfo=None),
        "TIMEZONE": "UTC",
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
    }
    try:
        found = dateparser.parse(text, languages=list(languages) or None, settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    return _utc(found) if found is not None else None


def _fallback(text: str, now: datetime) -> datetime | None:
    if text.casefold() in _YESTERDAY:
        return _utc(now) - timedelta(days=1)
    for pattern, unit in _FALLBACK:
        match = pattern.match(text)
        if match:
            count = int(match.group(1) or 1)
            return _utc(now) - timedelta(seconds=count * _UNITS[unit])
    return None


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
