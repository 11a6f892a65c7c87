"""JSON for the spool and bulk bodies: orjson, and the standard library where orjson refuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from indexer.serialize import dumps, json_default


def test_compact_utf8_json() -> None:
    assert (
        dumps({"text": "رحلة", "n": [1, 2.5, None, True]}) == '{"text":"رحلة","n":[1,2.5,null,true]}'.encode()
    )


def test_what_json_cannot_hold_is_written_as_the_spool_writes_it() -> None:
    moment = datetime(2026, 10, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    value = {"at": moment, "naive": datetime(2026, 10, 1), "tags": {"x"}, "path": Path("a/b"), "pair": (1, 2)}

    assert json.loads(dumps(value, default=json_default)) == {
        "at": "2026-10-01T10:00:00Z",
        "naive": "2026-10-01T00:00:00Z",
        "tags": ["x"],
        "path": "a/b",
        "pair": [1, 2],
    }


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ({"n": 2**70}, {"n": 2**70}),  # beyond 64 bits
        ({"s": "lone \ud800"}, {"s": "lone \ud800"}),  # a lone surrogate from crawled text
        ({1: "key"}, {"1": "key"}),  # a key that is not a string
    ],
)
def test_what_orjson_refuses_falls_back_to_the_standard_library(value: object, parsed: object) -> None:
    encoded = dumps(value)

    encoded.decode("ascii")  # valid JSON text whatever it holds
    assert json.loads(encoded) == parsed


def test_a_value_nothing_can_write_says_what_it_is() -> None:
    with pytest.raises(TypeError, match="a value of type object cannot be stored as JSON"):
        dumps({"x": object()}, default=json_default)
    assert dumps({"at": datetime(2026, 1, 1, tzinfo=UTC)}) == b'{"at":"2026-01-01T00:00:00+00:00"}'
