"""JSON for the spool and the bulk bodies: orjson, with the standard library as the fallback.

orjson writes advert documents about three times faster than ``json``, which matters on the
drain's hot path. It refuses a few things the standard library takes (integers beyond 64 bits,
lone surrogates such as a ``"\\ud800"`` escape in crawled text, keys that are not strings); then
:func:`dumps` falls back to ``json`` with ASCII escapes, so such an item is still spooled and
sent (and refused by Elasticsearch with a reason, into the dead letters, if it must be), never
lost here. Reading stays with ``json.loads``: on these documents, mostly non-Latin text, it
measured faster than ``orjson.loads``, and it keeps integers of any size exact.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson


def json_default(value: Any) -> Any:
    """How the spool writes what JSON cannot hold: datetimes as UTC ISO 8601 ("Z"), sets as lists."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"a value of type {type(value).__name__} cannot be stored as JSON")


def dumps(value: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    """Compact UTF-8 JSON; ``default`` converts what JSON cannot hold (it sees datetimes too)."""
    # With a ``default``, datetimes go to it too (the spool writes them its own way, as UTC "Z").
    option = orjson.OPT_PASSTHROUGH_DATETIME if default is not None else 0
    try:
        return orjson.dumps(value, default=default, option=option)
    except orjson.JSONEncodeError as error:
        if isinstance(error.__cause__, TypeError) and default is not None:
            raise TypeError(str(error.__cause__)) from error  # ``default`` refused the value; it says why
        return json.dumps(value, separators=(",", ":"), default=default).encode("ascii")
