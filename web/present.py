"""An advert document turned into what the pages show: routes, prices, contacts, local times,
and the text cut into segments, some of them marked (query matches, entities).

Nothing here produces HTML. Text is handed to the templates as plain segments that Jinja2
escapes; the templates alone decide which element wraps a marked segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from indexer.highlight import Span

# Marks the templates know (each has a CSS class); anything else is never emitted.
KINDS = ("match", "place", "price", "phone", "handle", "email")
ARROW = " → "


# Explicit embeddings and overrides re-order everything after them up to the end of the
# paragraph: in an advert they can turn "+218 91" into "19 812+" or "exe.pdf" into "fdp.exe".
# They are shown as visible markers instead (same length in the text's offsets: the mapping
# happens at output time, after highlighting).
BIDI_OVERRIDES = {"\u202a": "LRE", "\u202b": "RLE", "\u202c": "PDF", "\u202d": "LRO", "\u202e": "RLO"}
_OVERRIDE_MARKERS = str.maketrans({char: f"⟦{name}⟧" for char, name in BIDI_OVERRIDES.items()})
_ANY_OVERRIDE = re.compile("[\u202a-\u202e]")


def visible(value: Any) -> Any:
    """Strings with bidi overrides made visible; anything else unchanged (Jinja's ``finalize``)."""
    # Markup (a macro's output) was built from values that went through here already. A page
    # prints hundreds of values and almost none holds an override: look before translating.
    if isinstance(value, str) and not isinstance(value, Markup) and _ANY_OVERRIDE.search(value):
        return value.translate(_OVERRIDE_MARKERS)
    return value


@dataclass(frozen=True)
class Segment:
    text: str
    kinds: tuple[str, ...] = ()  # empty: plain text

    @property
    def css(self) -> str:
        return " ".join(f"mark-{kind}" for kind in self.kinds if kind in KINDS)


@dataclass(frozen=True)
class Contact:
    kind: str  # phone, handle, email
    label: str  # as shown
    pivot: dict[str, str] | None  # query parameters of the pivot page, None when there is no pivot


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def route_text(route: Any) -> str:
    """``LY → TR → IT``; an unknown end is ``?``; no route at all is an empty string."""
    if not isinstance(route, Mapping):
        return ""
    origin, destination = route.get("origin"), route.get("destination")
    transit = [str(c) for c in _list(route.get("transit")) if c]
    if not origin and not destination and not transit:
        return ""
    return ARROW.join([str(origin or "?"), *transit, str(destination or "?")])


def _amount(value: Any) -> str:
    if not isinstance(value, int | float):
        return "?"
    return f"{value:,.0f}" if float(value).is_integer() or value >= 100 else f"{value:,.2f}"


def price_lines(prices: Any) -> list[str]:
    """``3,500 EUR per person`` or ``3,000 USD per document (≈ 2,760 EUR)``."""
    lines = []
    for price in _list(prices):
        if not isinstance(price, Mapping):
            continue
        currency = str(price.get("currency") or "")
        line = f"{_amount(price.get('amount'))} {currency}".strip()
        kind = price.get("kind")
        if kind and kind != "unknown":
            line += " " + str(kind).replace("_", " ")
        eur = price.get("eur")
        if isinstance(eur, int | float) and currency != "EUR":
            line += f" (≈ {_amount(eur)} EUR)"
        lines.append(line)
    return lines


def contacts(doc: Mapping[str, Any]) -> list[Contact]:
    found: list[Contact] = []
    for phone in _list(doc.get("phones")):
        number = phone.get("e164") if isinstance(phone, Mapping) else None
        if isinstance(number, str) and number:
            found.append(Contact("phone", number, {"phone": number}))
    for handle in _list(doc.get("handles")):
        if not isinstance(handle, Mapping) or not isinstance(handle.get("value"), str):
            continue
        value, platform = handle["value"], handle.get("platform") or "handle"
        found.append(Contact("handle", f"{platform} @{value}", {"handle": value}))
    for email in _list(doc.get("emails")):
        if isinstance(email, str) and email:
            found.append(Contact("email", email, None))
    return found


def local_time(value: Any, timezone: str, with_time: bool = True) -> str:
    """An ISO timestamp (UTC) as local time: ``2026-10-03 16:20``; unparseable input as it came."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(timezone))
    return moment.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def segments(text: str, marks: Iterable[tuple[int, int, str]]) -> list[Segment]:
    """``text`` cut at every mark boundary; each piece carries the kinds of the marks covering it."""
    length = len(text)
    cleaned = [
        (max(0, s), min(length, e), k) for s, e, k in marks if k in KINDS and s < e and s < length and e > 0
    ]
    if not cleaned:
        return [Segment(text)] if text else []
    bounds = sorted({0, length, *(s for s, _, _ in cleaned), *(e for _, e, _ in cleaned)})
    pieces: list[Segment] = []
    for start, end in pairwise(bounds):
        kinds = tuple(sorted({k for s, e, k in cleaned if s <= start and e >= end}, key=KINDS.index))
        if pieces and pieces[-1].kinds == kinds:
            pieces[-1] = Segment(pieces[-1].text + text[start:end], kinds)
        else:
            pieces.append(Segment(text[start:end], kinds))
    return pieces


def snippet(text: str, spans: Sequence[Span], width: int = 280) -> list[Segment]:
    """About ``width`` characters around the first match, matches marked; ``…`` where text was cut."""
    if len(text) <= width:
        return segments(text, [(s, e, "match") for s, e in spans])
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    inside = [
        (max(s, start) - start, min(e, end) - start, "match") for s, e in spans if s < end and e > start
    ]
    pieces = segments(text[start:end], inside)
    if start > 0:
        pieces.insert(0, Segment("…"))
    if end < len(text):
        pieces.append(Segment("…"))
    return pieces


def _offsets(entry: Mapping[str, Any], text: str) -> tuple[int, int] | None:
    start, end = entry.get("start"), entry.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        return start, end
    return None


def _find_all(text: str, needle: str) -> list[tuple[int, int]]:
    found, lowered, wanted = [], text.lower(), needle.lower()
    position = lowered.find(wanted) if wanted else -1
    while position >= 0:
        found.append((position, position + len(wanted)))
        position = lowered.find(wanted, position + len(wanted))
    return found


_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"  # Western, Arabic-Indic and Persian digits
_PHONE_LIKE = re.compile(f"[+(]?[{_DIGIT}][{_DIGIT} ().-]{{5,}}[{_DIGIT}]")
_DIGITS = str.maketrans({chr(base + n): str(n) for base in (0x0660, 0x06F0) for n in range(10)})
# A number written without its country code still ends in the same (at least 7) digits.
_PHONE_TAIL = 7


def _find_phone(text: str, e164: str) -> list[tuple[int, int]]:
    """Where a number (known only as E.164) is written in the text, however it was spaced."""
    wanted = re.sub(r"\D", "", e164)
    found = []
    for written in _PHONE_LIKE.finditer(text):
        digits = re.sub(r"\D", "", written.group().translate(_DIGITS)).removeprefix("00")
        if len(digits) >= _PHONE_TAIL and (wanted.endswith(digits.lstrip("0")) or digits == wanted):
            found.append((written.start(), written.end()))
    return found


def entity_marks(doc: Mapping[str, Any], text: str) -> list[tuple[int, int, str]]:
    """Where the enrichment's entities sit in ``text``: offsets when they fit, else found by their words."""
    marks: list[tuple[int, int, str]] = []
    for place in _list(doc.get("places")):
        if not isinstance(place, Mapping):
            continue
        span = _offsets(place, text)
        word = place.get("text")
        if span and (not isinstance(word, str) or text[span[0] : span[1]] == word):
            marks.append((*span, "place"))
        elif isinstance(word, str) and word:
            marks.extend((s, e, "place") for s, e in _find_all(text, word))
    for entry in _list(doc.get("prices")):
        if isinstance(entry, Mapping) and (span := _offsets(entry, text)):
            marks.append((*span, "price"))
    for entry in _list(doc.get("phones")):
        if not isinstance(entry, Mapping):
            continue
        if span := _offsets(entry, text):
            marks.append((*span, "phone"))
        elif isinstance(entry.get("e164"), str):
            marks.extend((s, e, "phone") for s, e in _find_phone(text, entry["e164"]))
    for handle in _list(doc.get("handles")):
        if isinstance(handle, Mapping) and isinstance(handle.get("value"), str) and len(handle["value"]) > 1:
            marks.extend((s, e, "handle") for s, e in _find_all(text, handle["value"]))
    for email in _list(doc.get("emails")):
        if isinstance(email, str) and len(email) > 3:
            marks.extend((s, e, "email") for s, e in _find_all(text, email))
    return marks
