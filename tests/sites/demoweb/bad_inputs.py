"""Responses a crawler must survive: broken markup, wrong charsets, binary and huge bodies,
slow answers, error statuses and redirects anywhere (``/redirect?to=`` is how the SSRF-guard
test sends a crawler to a loopback port it is not allowed to visit)."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator

from tests.sites.demoweb.http_types import Request, Response, page

# The Arabic advert /bad/charset serves in windows-1256 (which has no Eastern Arabic digits);
# tests compare decoded text with it.
CHARSET_TEXT = "رحلات يومية من زوارة إلى لامبيدوزا، السعر 3000 يورو. للتواصل واتساب فقط."
CHARSET_TITLE = "عرض خاص"
MAX_HUGE_BYTES = 256 * 1024 * 1024
MAX_SLOW_SECONDS = 120.0

MALFORMED_HTML = """<html><head><title>Broken <b>page</title>
<body class="forum-advert">
<div class="post"><h1 class="post-title">Unclosed title <i>with italics
<div class="post-meta"><span class="username">broken_markup</span><span class="post-date">yesterday
<div class="post-body"><p>Crossing next week, ask for details <a href="/forum/?page=1>unterminated quote</p>
</td></tr></table></span></div></div></div>
<p>Stray ampersand & less-than < and a lone &#xZZ; entity
<div class="post-body">A second body that never ends
<!-- an unterminated comment
"""


def malformed() -> Response:
    return page(MALFORMED_HTML)


def charset(mode: str) -> Response:
    """windows-1256 bytes; ``mode`` ``wrong`` claims UTF-8 in the header, ``missing`` names no
    charset anywhere, ``meta`` names it only in a ``<meta>`` tag (the honest variant)."""
    meta = '<meta charset="windows-1256">' if mode == "meta" else ""
    markup = (
        f"<!DOCTYPE html><html><head>{meta}<title>{CHARSET_TITLE}</title></head><body>"
        f'<div class="post"><h1 class="post-title">{CHARSET_TITLE}</h1>'
        f'<div class="post-body">{CHARSET_TEXT}</div></div></body></html>'
    )
    content_type = "text/html; charset=utf-8" if mode == "wrong" else "text/html"
    return Response(body=markup.encode("cp1256"), content_type=content_type)


def binary() -> Response:
    """64 KiB of noise behind a PNG signature, labelled as HTML."""
    noise = random.Random(1256).randbytes(64 * 1024)  # noqa: S311 - test data, not security
    return Response(
        body=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise, content_type="text/html; charset=utf-8"
    )


def huge(size: int, chunked: bool) -> Response:
    """``size`` bytes of valid HTML, streamed; with ``chunked`` no Content-Length announces it."""
    size = max(256, min(size, MAX_HUGE_BYTES))
    head = b"<!DOCTYPE html><html><head><title>Huge page</title></head><body><div class='post-body'>"
    tail = b"</div></body></html>"
    paragraph = b"<p>" + b"Lorem ipsum dolor sit amet, padding for a very large page. " * 16 + b"</p>\n"

    def chunks() -> Iterator[bytes]:
        yield head
        left = size - len(head) - len(tail)
        while left > 0:
            piece = paragraph[:left] if left < len(paragraph) else paragraph
            yield piece
            left -= len(piece)
        yield tail

    return Response(body=chunks(), length=None if chunked else size)


def slow(seconds: float, stopping: threading.Event) -> Response:
    """Answer after ``seconds`` (or at once when the server stops)."""
    stopping.wait(min(max(seconds, 0.0), MAX_SLOW_SECONDS))
    return page(f"<html><body><p class='slow'>Answered after {seconds:g} seconds.</p></body></html>")


def status(code: int) -> Response:
    if not 400 <= code <= 599:
        return page("<html><body>Only 400-599 can be asked for.</body></html>", 400)
    return page(f"<html><body><h1>Error {code}</h1></body></html>", code)


class Flaky:
    """``/bad/flaky?key=K&fail=N``: the first N requests per key get 503, later ones 200."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, int] = {}

    def __call__(self, request: Request) -> Response:
        key = request.arg("key", "default") or "default"
        fail = request.int_arg("fail", 2, 0, 100)
        with self._lock:
            self._seen[key] = self._seen.get(key, 0) + 1
            attempt = self._seen[key]
        if attempt <= fail:
            response = page(f"<html><body>Busy, try again (attempt {attempt}).</body></html>", 503)
            response.headers.append(("Retry-After", "0"))
            return response
        return page(f"<html><body><p class='flaky'>Worked on attempt {attempt}.</p></body></html>")

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()
