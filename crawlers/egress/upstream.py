"""An upstream proxy (a source's SOCKS or HTTP proxy) and opening a tunnel through it.

``Upstream.parse(url)`` reads ``socks5://``, ``socks5h://``, ``socks4://``, ``http://`` and
``https://`` proxy URLs (credentials in the URL, as ``crawlers.middlewares.proxy.proxy_url``
writes them). ``open_tunnel(upstream, host, port)`` returns a stream connected to
``host:port`` through it. Who resolves names:

- ``socks5`` and ``socks4``: we do; the caller passes the address it checked, and the proxy
  connects to exactly that address;
- ``socks5h`` and HTTP proxies: the proxy does (nothing about the target leaks to the local
  resolver); the caller can only check literal addresses and local names.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from crawlers.egress.socks import socks4_connect, socks5_connect

CONNECT_TIMEOUT = 30.0
HEAD_LIMIT = 64 * 1024


class UpstreamError(OSError):
    """The upstream proxy could not be reached or refused the tunnel; the message says which."""


@dataclass(frozen=True)
class Upstream:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> Upstream:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        defaults = {"http": 8080, "https": 443, "socks4": 1080, "socks5": 1080, "socks5h": 1080}
        if scheme not in defaults or not parts.hostname:
            raise ValueError(f"not a proxy URL this crawler can use: {parts.scheme}://{parts.hostname}")
        return cls(
            scheme=scheme,
            host=parts.hostname,
            port=parts.port or defaults[scheme],
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    @property
    def remote_dns(self) -> bool:
        """True when the proxy resolves target names (socks5h, HTTP); False when we must."""
        return self.scheme not in ("socks5", "socks4")

    @property
    def is_http(self) -> bool:
        return self.scheme in ("http", "https")

    def authorization(self) -> str | None:
        """The ``Proxy-Authorization`` value for an HTTP proxy with credentials."""
        if self.username is None:
            return None
        token = base64.b64encode(f"{self.username}:{self.password or ''}".encode()).decode("ascii")
        return f"Basic {token}"

    def __str__(self) -> str:  # never the credentials
        return f"{self.scheme}://{self.host}:{self.port}"


async def open_upstream(upstream: Upstream) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection to the proxy itself (TLS for an https:// proxy)."""
    try:
        return await asyncio.wait_for(
            asyncio.open_connection(upstream.host, upstream.port, ssl=upstream.scheme == "https"),
            CONNECT_TIMEOUT,
        )
    except (OSError, TimeoutError) as error:
        raise UpstreamError(f"proxy {upstream} cannot be reached: {error or 'timeout'}") from error


async def open_tunnel(
    upstream: Upstream, host: str, port: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A stream to ``host:port`` through the proxy (``host`` an address unless ``remote_dns``)."""
    reader, writer = await open_upstream(upstream)
    try:
        if upstream.scheme in ("socks5", "socks5h"):
            await asyncio.wait_for(
                socks5_connect(reader, writer, host, port, upstream.username, upstream.password),
                CONNECT_TIMEOUT,
            )
        elif upstream.scheme == "socks4":
            await asyncio.wait_for(
                socks4_connect(reader, writer, host, port, upstream.username), CONNECT_TIMEOUT
            )
        else:
            await asyncio.wait_for(_http_connect(reader, writer, upstream, host, port), CONNECT_TIMEOUT)
    except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
        writer.close()
        if isinstance(error, UpstreamError):
            raise
        why = str(error) or "timeout"
        raise UpstreamError(f"proxy {upstream} gave no tunnel to {host}:{port}: {why}") from error
    return reader, writer


async def _http_connect(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, upstream: Upstream, host: str, port: int
) -> None:
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    authorization = upstream.authorization()
    if authorization:
        lines.append(f"Proxy-Authorization: {authorization}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].split(b" ")
    if len(status) < 2 or not status[1].startswith(b"2"):
        answer = head.split(b"\r\n", 1)[0].decode("latin-1")
        raise UpstreamError(f"proxy {upstream} refused the tunnel to {authority}: {answer}")
