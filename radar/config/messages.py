"""Turn one pydantic error into a message an analyst understands, with its catalogue code.

pydantic's own wording ("Input should be a valid integer, unable to parse string as an
integer") is written for programmers; here every common case says what was expected and
what was found, and an unknown key suggests the nearest allowed one.
"""

from __future__ import annotations

import difflib
import inspect
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from radar.config.positions import Position, model_keys, union_tags
from radar.config.types import shown
from radar.errors import Code

# pydantic error types that mean "this value has the wrong type", and what we call the wanted type.
_EXPECTED = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "date_type": "a date (2024-05-31)",
    "date_parsing": "a date (2024-05-31)",
    "date_from_datetime_parsing": "a date (2024-05-31)",
    "time_type": "a time of day (07:30)",
    "time_parsing": "a time of day (07:30)",
    "path_type": "a file or folder path",
    "is_instance_of": "a value of another type",
}

# Custom error types raised by our validators, with their codes.
_CUSTOM_CODES = {
    "bad_regex": Code.CONFIG_BAD_REGEX,
    "bad_selector": Code.CONFIG_BAD_SELECTOR,
    "missing_file": Code.CONFIG_MISSING_FILE,
}


def _allowed_keys(container: Any) -> list[str]:
    if inspect.isclass(container) and issubclass(container, BaseModel):
        return list(model_keys(container))
    return []


def _unknown_key(key: str, container: Any) -> str:
    allowed = _allowed_keys(container)
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown key '{key}' (did you mean '{close[0]}'?)"
    if allowed:
        return f"unknown key '{key}'; allowed here: {', '.join(allowed)}"
    return f"unknown key '{key}'"


def _kinds(position: Position) -> str:
    # The position ends at the missing ``kind`` key, so the union is the type holding it.
    tags = union_tags(position.container) or {}
    return ", ".join(tags)


def describe(error: ErrorDetails, position: Position) -> tuple[str, Code]:
    """The message (without file, line or key path) and the code for one validation error."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(error["loc"][-1]) if error["loc"] else "?"
        return _unknown_key(key, position.container), Code.CONFIG_UNKNOWN_KEY
    if kind == "missing":
        return "required key is missing", Code.CONFIG_INVALID
    if kind == "union_tag_not_found":
        return f"required key is missing (one of {_kinds(position)})", Code.CONFIG_INVALID
    if kind == "union_tag_invalid":
        expected = ", ".join(str(tag).strip("'") for tag in str(ctx.get("expected_tags", "")).split(", "))
        return f"unknown kind {shown(ctx.get('tag'))}; expected one of {expected}", Code.CONFIG_WRONG_TYPE
    if kind == "literal_error":
        return f"expected {ctx.get('expected')}, got {shown(value)}", Code.CONFIG_WRONG_TYPE
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {shown(value)}", Code.CONFIG_WRONG_TYPE
    if kind in _CUSTOM_CODES:
        return error["msg"], _CUSTOM_CODES[kind]
    message = error["msg"]
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif message.startswith("Input should be "):
        # Constraints (greater_than, too_short, string_pattern_mismatch, ...): "must be ..., got ...".
        message = "must be " + message.removeprefix("Input should be ") + f", got {shown(value)}"
    elif message.startswith(("List should", "Tuple should", "String should")):
        message = "must " + message.split(" should ", 1)[1] + f", got {shown(value)}"
    return message, Code.CONFIG_INVALID
