"""Responses that are not what they claim: binary bodies labelled as HTML, wrong or missing charsets.

``inspect(response)`` returns the response to parse (re-decoded when its declared charset
was wrong) and a problem, if any, for the run report. A binary body is never parsed: the
spider reports it and moves on.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.http import Response, TextResponse

# File signatures of formats that are never an advert page.
_MAGIC = (
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"%PDF",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"\x00\x00\x01\x00",
)


@dataclass(frozen=True)
class Inspected:
    response: TextResponse | None  # None: nothing to parse
    problem: str | None = None  # "binary", "not_text", "charset_repaired"
    detail: str = ""


def is_binary(body: bytes) -> bool:
    head = body[:2048]
    return head.startswith(_MAGIC) or b"\x00" in head


def inspect(response: Response) -> Inspected:
    if is_binary(response.body):
        return Inspected(None, "binary", "the body is binary data, not text")
    if not isinstance(response, TextResponse):
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        return Inspected(None, "not_text", f"not a text response ({content_type or 'no Content-Type'})")
    declared = response.encoding
    try:
        response.body.decode(declared)
    except (UnicodeDecodeError, LookupError):
        better = _better_encoding(response)
        if better and better != declared:
            repaired = response.replace(encoding=better)
            if isinstance(repaired, TextResponse):
                return Inspected(repaired, "charset_repaired", f"declared {declared}, decoded as {better}")
    return Inspected(response)


def _better_encoding(response: TextResponse) -> str | None:
    """The charset the body really uses: its own <meta> declaration if that decodes, else a guess."""
    from charset_normalizer import from_bytes  # Scrapy's own fall-back detector
    from w3lib.encoding import html_body_declared_encoding

    body = response.body
    declared = html_body_declared_encoding(body)
    if declared:
        try:
            body.decode(declared)
            return declared
        except (UnicodeDecodeError, LookupError):
            pass
    best = from_bytes(body).best()
    return best.encoding if best is not None else None
