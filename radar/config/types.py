"""Value types shared by the configuration models: names, durations, URLs, regexes, selectors, paths.

Each type validates when the file is loaded, so a mistake is reported with its file and
line at start-up instead of surfacing in the middle of a crawl. Error messages name what
was expected and echo what was found.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from radar.config.base import StrictModel

# ---------------------------------------------------------------- showing values in messages


def shown(value: Any) -> str:
    """A short, readable rendering of a value found in YAML, for 'got ...' in messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return f"'{text}'"
    return str(value)


# ---------------------------------------------------------------- names

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def _check_name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise ValueError(
            f"a name must be 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit, "
            f"got {shown(value)}"
        )
    return value


# A stable identifier: used in job ids, item ids, index fields and file names.
Name = Annotated[str, AfterValidator(_check_name)]


def _one_or_many(value: Any) -> Any:
    """Let people write ``lang: ar`` as well as ``lang: [ar, fa]``."""
    if isinstance(value, str | int | float):
        return [value]
    return value


# Marks a tuple field that also accepts a single value.
OneOrMany = BeforeValidator(_one_or_many)

# ---------------------------------------------------------------- durations

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> Any:
    """``90s``, ``30m``, ``1h30m``, ``2d``, ``1w`` or a number of seconds, as a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if isinstance(value, str):
        text = value.replace(" ", "").lower()
        if text and "".join(m.group(0) for m in _DURATION_PART.finditer(text)) == text:
            seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(text))
            return timedelta(seconds=seconds)
    raise ValueError(f"expected a duration such as '90s', '30m', '6h' or '1d', got {shown(value)}")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("the duration must be longer than zero")
    return value


PositiveDuration = Annotated[timedelta, BeforeValidator(parse_duration), AfterValidator(_positive)]

# ---------------------------------------------------------------- regular expressions


def compile_regex(value: Any) -> Any:
    """Compile now so a bad pattern is an error with file and line, not a crash mid-crawl."""
    if not isinstance(value, str):
        return value  # pydantic reports the wrong type
    try:
        return re.compile(value)
    except re.error as error:
        raise PydanticCustomError(
            "bad_regex",
            "bad regular expression {pattern}: {reason}",
            {"pattern": shown(value), "reason": str(error)},
        ) from error


Regex = Annotated[re.Pattern[str], BeforeValidator(compile_regex)]

# ---------------------------------------------------------------- URLs and mail addresses


def check_http_url(value: str) -> str:
    """An absolute http(s) URL with a host; kept as text so every consumer sees what was written."""
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
        parts = urlsplit("")
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or not port_ok
        or any(c.isspace() for c in value)
    ):
        raise ValueError(f"expected an http:// or https:// URL with a host, got {shown(value)}")
    return value


HttpUrl = Annotated[str, AfterValidator(check_http_url)]

_EMAIL = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[A-Za-z]{2,}")


def _check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"expected a mail address such as 'mdt@example.org', got {shown(value)}")
    return value


EmailAddress = Annotated[str, AfterValidator(_check_email)]

# ---------------------------------------------------------------- paths


def _resolve_path(value: Path, info: ValidationInfo) -> Path:
    """Relative paths are relative to the folder of the file that names them (``base_dir``)."""
    value = value.expanduser()
    base = (info.context or {}).get("base_dir")
    if value.is_absolute() or base is None:
        return value
    return Path(os.path.normpath(Path(base) / value))


# A path resolved against the folder of the YAML file it was written in.
FilePath = Annotated[Path, AfterValidator(_resolve_path)]


def _exists(what: Literal["file", "folder"]) -> AfterValidator:
    """Check a referenced file or folder exists, when loading from disk (``check_files`` in the context)."""

    def check(value: Path, info: ValidationInfo) -> Path:
        present = value.is_dir() if what == "folder" else value.is_file()
        if (info.context or {}).get("check_files") and not present:
            from radar.config.problems import display_path

            raise PydanticCustomError(
                "missing_file", "{what} not found: {path}", {"what": what, "path": display_path(value)}
            )
        return value

    return AfterValidator(check)


ExistingFile = Annotated[Path, AfterValidator(_resolve_path), _exists("file")]
ExistingFolder = Annotated[Path, AfterValidator(_resolve_path), _exists("folder")]

# ---------------------------------------------------------------- selectors


class Selector(StrictModel):
    """A CSS or XPath expression, checked for syntax when the file is loaded.

    Written as text: ``xpath://a[@rel='next']/@href`` or ``css:a.next::attr(href)``;
    without a prefix an expression starting with ``/``, ``./`` or ``(`` is XPath,
    anything else CSS (with parsel's ``::text`` and ``::attr(name)``).
    """

    kind: Literal["css", "xpath"]
    query: str

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if not isinstance(data, str):
            return data
        for prefix in ("css:", "xpath:"):
            if data.startswith(prefix):
                return {"kind": prefix[:-1], "query": data[len(prefix) :].strip()}
        kind = "xpath" if data.startswith(("/", "./", "(")) else "css"
        return {"kind": kind, "query": data}

    @model_validator(mode="after")
    def _compiles(self) -> Selector:
        try:
            self.to_xpath()
        except Exception as error:  # cssselect and lxml raise several unrelated types
            raise PydanticCustomError(
                "bad_selector",
                "bad {kind} selector {query}: {reason}",
                {
                    "kind": "CSS" if self.kind == "css" else "XPath",
                    "query": shown(self.query),
                    "reason": str(error),
                },
            ) from error
        return self

    def to_xpath(self) -> str:
        """The expression as XPath (CSS translated the way parsel does it)."""
        if self.kind == "css":
            from parsel.csstranslator import HTMLTranslator

            return str(HTMLTranslator().css_to_xpath(self.query))
        from parsel import Selector as Page

        Page(text="<html></html>").xpath(self.query)  # raises ValueError on bad syntax
        return self.query

    def __str__(self) -> str:
        return f"{self.kind}:{self.query}"
