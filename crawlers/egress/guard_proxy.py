"""The guard proxy: an HTTP proxy on 127.0.0.1 that checks every connection's address first.

Two kinds of traffic cannot be checked by Scrapy's SSRF layers, so they go through here:

- **Chromium** (rendered sources) resolves names and follows redirects itself, and loads
  sub-resources Scrapy never sees. Launched with this proxy, every connection it makes —
  the page, each redirect hop, scripts, images, XHR — is a ``CONNECT host:port`` or an
  absolute-URI request to this proxy, which resolves the host, checks every address with the
  SSRF rule (``AddressPolicy``) and connects to the very address it checked (a second lookup
  could answer differently). Refused: ``403`` with the reason, and nothing is sent anywhere.
- **SOCKS proxies** for plain Scrapy sources: Scrapy's downloader speaks HTTP proxies only,
  so it talks to this proxy, which opens the tunnel through the source's SOCKS proxy
  (``crawlers.egress.upstream``), after the same check.

With an upstream proxy that resolves names itself (``socks5h``, HTTP), only literal addresses
and local names can be checked here (resolving the name locally would leak it). The proxy
serves in its own thread with its own event loop, so it works beside any reactor, and answers
only clients that know its random credentials (no other local program can use it).
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawlers.egress.upstream import CONNECT_TIMEOUT, HEAD_LIMIT, Upstream, open_tunnel, open_upstream
from crawlers.middlewares.address_policy import AddressPolicy, default_port
from radar.logs import get_logger

log = get_logger("crawlers.guard_proxy")
# Hop-by-hop headers of a forwarded plain-HTTP request or response: ours to set, not to pass on.
HOP_HEADERS = frozenset({b"connection", b"keep-alive", b"proxy-connection", b"proxy-authorization"})
IDLE_TIMEOUT = 120.0
# The reason phrase of a refusal's 403: the one thing of the answer to a refused CONNECT that
# Scrapy keeps (in its TunnelError), so the crawl can tell a refusal from a broken tunnel.
REFUSED_REASON = "Forbidden by SSRF guard"


class RefusedError(Exception):
    """A connection the SSRF rule refuses; the message says why."""


@dataclass
class GuardProxy:
    policy: AddressPolicy
    upstream: Upstream | None = None
    # Called (in the proxy's thread) with the target and reason of every refused connection.
    on_refusal: Callable[[str, str], None] | None = None
    user: str = field(default_factory=lambda: secrets.token_hex(8))
    password: str = field(default_factory=lambda: secrets.token_hex(16))
    port: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _server: asyncio.Server | None = None

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> GuardProxy:
        """Listen on 127.0.0.1 (a free port) in a thread of its own; returns once listening."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._serve, "127.0.0.1", 0, limit=HEAD_LIMIT)
                )
                self.port = self._server.sockets[0].getsockname()[1]
            except OSError as error:
                failure.append(error)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            # Stopped: end the connections still open, let them close their sockets, then the loop.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

        self._thread = threading.Thread(target=run, name="guard-proxy", daemon=True)
        self._thread.start()
        ready.wait(30)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        loop, server = self._loop, self._server
        if loop is None or server is None or loop.is_closed():
            return

        def shut() -> None:
            server.close()
            loop.stop()

        loop.call_soon_threadsafe(shut)
        if self._thread is not None:
            self._thread.join(10)

    @property
    def url(self) -> str:
        """The proxy URL with its credentials, for Scrapy's ``meta["proxy"]``."""
        return f"http://{self.user}:{self.password}@127.0.0.1:{self.port}"

    @property
    def server(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- one client connection ---------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_TIMEOUT)
            await self._handle(head, reader, writer)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client went away or sent nothing usable: nothing to report
        finally:
            writer.close()

    async def _handle(self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request_line, *header_lines = head[:-4].split(b"\r\n")
        parts = request_line.split(b" ")
        if len(parts) != 3:
            await _answer(writer, 400, "Bad Request", "not an HTTP request")
            return
        method, target = parts[0].upper(), parts[1].decode("latin-1")
        headers = [line.split(b":", 1) for line in header_lines if b":" in line]
        if not self._authorized(headers):
            await _answer(
                writer, 407, "Proxy Authentication Required", "unknown client",
                extra=b'Proxy-Authenticate: Basic realm="smokkelradar"\r\n',
            )  # fmt: skip
            return
        if method == b"CONNECT":
            host, _, port_text = target.rpartition(":")
            host, port = host.strip("[]"), int(port_text) if port_text.isdigit() else 0
            plain = False
        else:
            url = urlsplit(target)
            if url.scheme.lower() != "http" or not url.hostname:
                await _answer(writer, 400, "Bad Request", "only CONNECT and absolute http:// URLs")
                return
            host, port, plain = url.hostname, url.port or default_port("http"), True
        try:
            upstream_reader, upstream_writer = await self._connect(host, port, plain)
        except RefusedError as refusal:
            await _answer(writer, 403, REFUSED_REASON, f"SSRF guard: {host}:{port} refused: {refusal}")
            return
        except (OSError, TimeoutError) as error:
            await _answer(writer, 502, "Bad Gateway", f"{host}:{port}: {error or 'timeout'}")
            return
        try:
            if plain:
                upstream_writer.write(self._forwarded_head(method, target, headers))
            else:
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await asyncio.gather(
                _pipe(reader, upstream_writer), _pipe(upstream_reader, writer, close_headers=plain)
            )
        finally:
            upstream_writer.close()

    def _authorized(self, headers: list[list[bytes]]) -> bool:
        expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
        for name, value in headers:
            if name.strip().lower() == b"proxy-authorization":
                scheme, _, token = value.strip().decode("latin-1").partition(" ")
                return scheme.lower() == "basic" and secrets.compare_digest(token.strip(), expected)
        return False

    async def _connect(
        self, host: str, port: int, plain: bool
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """The checked connection to ``host:port``: directly, or through the upstream proxy."""
        if not host or not 0 < port < 65536:
            raise RefusedError("no valid host and port")
        upstream = self.upstream
        remote_dns = upstream is not None and upstream.remote_dns
        loop = asyncio.get_running_loop()
        # Name resolution blocks: in the default executor, not in the proxy's loop.
        addresses, refusal = await loop.run_in_executor(
            None, lambda: self.policy.connect_plan(host, port, remote_dns=remote_dns)
        )
        if refusal is not None:
            self.refused.append((f"{host}:{port}", refusal))
            log.warning(
                "SSRF guard refused a connection to %s:%s: %s",
                host,
                port,
                refusal,
                extra={"host": host, "port": port, "reason": refusal},
            )
            if self.on_refusal is not None:
                self.on_refusal(f"{host}:{port}", refusal)
            raise RefusedError(refusal)
        if upstream is None:
            return await self._direct(addresses, port)
        if upstream.is_http and plain:
            return await open_upstream(upstream)  # an HTTP proxy takes the absolute-URI request itself
        return await open_tunnel(upstream, addresses[0], port)

    @staticmethod
    async def _direct(addresses: list[str], port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        last: BaseException | None = None
        for address in addresses:  # every one was checked; the first that answers is used
            try:
                return await asyncio.wait_for(asyncio.open_connection(address, port), CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as error:
                last = error
        raise OSError(f"no address answered ({last})")

    def _forwarded_head(self, method: bytes, target: str, headers: list[list[bytes]]) -> bytes:
        """The request head as sent on: origin-form (absolute-form to an HTTP upstream), one request
        per connection, our credentials removed and the upstream's added."""
        upstream = self.upstream
        if upstream is not None and upstream.is_http:
            line = method + b" " + target.encode("latin-1")
        else:
            url = urlsplit(target)
            path = (url.path or "/") + (f"?{url.query}" if url.query else "")
            line = method + b" " + path.encode("latin-1")
        kept = [name + b":" + value for name, value in headers if name.strip().lower() not in HOP_HEADERS]
        kept.append(b"Connection: close")
        authorization = upstream.authorization() if upstream is not None and upstream.is_http else None
        if authorization:
            kept.append(b"Proxy-Authorization: " + authorization.encode("latin-1"))
        return b"\r\n".join([line + b" HTTP/1.1", *kept]) + b"\r\n\r\n"


async def _pipe(
    source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, close_headers: bool = False
) -> None:
    """Copy until the end; a forwarded response gets ``Connection: close`` (one request per connection)."""
    try:
        if close_headers:
            head = await asyncio.wait_for(source.readuntil(b"\r\n\r\n"), IDLE_TIMEOUT)
            status, *lines = head[:-4].split(b"\r\n")
            kept = [line for line in lines if line.split(b":", 1)[0].strip().lower() not in HOP_HEADERS]
            sink.write(b"\r\n".join([status, *kept, b"Connection: close"]) + b"\r\n\r\n")
        while chunk := await asyncio.wait_for(source.read(65536), IDLE_TIMEOUT):
            sink.write(chunk)
            await sink.drain()
    except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        sink.close()


async def _answer(
    writer: asyncio.StreamWriter, status: int, reason: str, message: str, *, extra: bytes = b""
) -> None:
    body = (message + "\n").encode("utf-8")
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n".encode("ascii")
        + extra
        + f"X-Smokkelradar-Guard: {status}\r\nContent-Length: {len(body)}\r\n".encode()
        + b"Connection: close\r\n\r\n"
        + body
    )
    await writer.drain()
