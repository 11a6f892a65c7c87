"""Response headers that hold even when advert text gets past escaping, and small URL checks.

The Content-Security-Policy allows scripts, styles and images from this app only: no inline
script, no inline style, no ``eval``, no plug-ins, no framing, forms posting only to us.
Pages are never cached (they hold personal data) except the static files.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

BASE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # Opening a smuggler's page from here must not tell them where the officer came from.
    # (same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own
    # form posts, and the Origin check could no longer tell them from a foreign site's.)
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000")
STATIC_PREFIX = "/static/"
_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20]")


class SecurityHeaders:
    """ASGI middleware adding :data:`BASE_HEADERS` (and HSTS over https) to every response."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith(STATIC_PREFIX)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                headers.extend(BASE_HEADERS)
                if self.hsts:
                    headers.append(HSTS)
                headers.append((b"cache-control", b"private, max-age=3600" if static else b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def safe_next(target: str | None, default: str = "/search") -> str:
    """A redirect target after login: a path on this site only (never ``//evil`` or ``https://``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(char) < 32 for char in target):
        return default
    return target


def web_link(url: object) -> str | None:
    """``url`` when it is an http(s) address fit for an ``href``; None otherwise (show it as text).

    Advert data is attacker-controlled: ``javascript:``, ``data:`` and the like never become links.
    """
    if not isinstance(url, str) or len(url) > 4096 or _SPACE_OR_CONTROL.search(url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def same_origin(origin: str | None, host: str | None) -> bool:
    """True when a request's Origin header (if any) names this host: cross-site form posts are refused."""
    if origin is None:
        return True  # same-origin navigations in older browsers and non-browser clients send none
    if origin == "null" or host is None:
        return False
    return urlsplit(origin).netloc.lower() == host.lower()
