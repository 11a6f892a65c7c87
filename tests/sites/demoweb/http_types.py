"""Requests and responses as small values, so page renderers know nothing of the server.

Also the conditional-request rules (RFC 9110 section 13): ``If-None-Match`` wins over
``If-Modified-Since``; a match gives 304 with the validators and no body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from tests.sites.demoweb.textmarkup import esc

HTML = "text/html; charset=utf-8"


class HeaderMap(Mapping[str, str]):
    """Read-only, case-insensitive request headers (names are stored lower-cased)."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._items: dict[str, str] = {}
        for name, value in pairs:
            key = name.lower()
            self._items[key] = f"{self._items[key]}, {value}" if key in self._items else value

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"HeaderMap({self._items!r})"


@dataclass(frozen=True)
class Request:
    """One request as the router sees it; ``target`` is the path with its query string."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: HeaderMap
    target: str

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def int_arg(self, name: str, default: int, lowest: int = 0, highest: int = 2**31) -> int:
        """A whole-number query argument clamped to a range; junk gives the default."""
        try:
            value = int(self.arg(name) or default)
        except ValueError:
            return default
        return min(max(value, lowest), highest)


@dataclass
class Response:
    """What to send. ``body`` may be an iterable of chunks (for large or streamed bodies);
    then ``length`` is its size, or None to send it with chunked transfer encoding."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    content_type: str | None = HTML
    headers: list[tuple[str, str]] = field(default_factory=list)
    length: int | None = None

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def page(markup: str, status: int = 200, content_type: str = HTML) -> Response:
    return Response(status=status, body=markup.encode("utf-8"), content_type=content_type)


def redirect(location: str, status: int = 302) -> Response:
    body = f'<html><body>Moved: <a href="{esc(location)}">here</a></body></html>'.encode()
    return Response(status=status, body=body, headers=[("Location", location)])


def not_found(what: str = "Page not found") -> Response:
    return page(
        f"<!DOCTYPE html><html><head><title>404</title></head><body><h1>{esc(what)}</h1></body></html>", 404
    )


def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def cacheable(request: Request, response: Response, last_modified: datetime) -> Response:
    """Give ``response`` an ETag and Last-Modified; answer 304 when the client's copy is current."""
    if not isinstance(response.body, bytes):
        raise TypeError("only a response with a bytes body can carry an ETag")
    etag = etag_of(response.body)
    validators = [("ETag", etag), ("Last-Modified", http_date(last_modified))]
    response.headers.extend(validators)
    if _not_modified(request.headers, etag, last_modified):
        return Response(status=304, body=b"", content_type=None, headers=validators)
    return response


def _not_modified(headers: HeaderMap, etag: str, last_modified: datetime) -> bool:
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as RFC 9110 asks
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= since
