"""Phone numbers and handles as an officer types them -> the terms the index holds.

Used by the search filters (``indexer.query``), the pivot and the alerts' saved searches, so a
number or a handle means the same everywhere. A value that cannot be one raises
``RadarError(SEARCH_BAD_REQUEST)``.
"""

from __future__ import annotations

import re
from typing import Any

from radar.errors import Code, RadarError

_EASTERN_DIGITS = str.maketrans({chr(base + n): str(n) for base in (0x0660, 0x06F0) for n in range(10)})


def normalize_phone(text: str) -> str:
    """A phone number as typed (spaces, dashes, Eastern digits, 00 prefix) -> ``+E164`` or bare digits."""
    import phonenumbers

    plain = text.translate(_EASTERN_DIGITS).strip()
    digits = re.sub(r"\D", "", plain)
    if len(digits) < 6:
        raise RadarError(Code.SEARCH_BAD_REQUEST, f"a phone number needs at least 6 digits, got {text!r}")
    if plain.startswith("+") or plain.startswith("00"):
        number = "+" + digits.removeprefix("00") if plain.startswith("00") else "+" + digits
        try:
            parsed = phonenumbers.parse(number, None)
            return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
        except phonenumbers.NumberParseException:
            return number
    return digits


def normalize_handle(text: str) -> str:
    """``@Name``, ``t.me/Name`` or ``https://t.me/Name`` -> ``name`` (handles are matched without case)."""
    handle = re.sub(r"^(https?://)?(www\.)?(t\.me|telegram\.me|wa\.me)/", "", text.strip(), flags=re.I)
    handle = handle.lstrip("@").strip("/").lower()
    if not handle:
        raise RadarError(Code.SEARCH_BAD_REQUEST, f"an empty handle: {text!r}")
    return handle


def phone_query(text: str) -> dict[str, Any]:
    """An exact E.164 match, or, for a national number, a match on its trailing digits."""
    number = normalize_phone(text)
    if number.startswith("+"):
        return {"term": {"phones.e164": number}}
    return {"wildcard": {"phones.e164": {"value": "*" + number.lstrip("0")}}}
