"""The socket side of the demo web: a stdlib ``ThreadingHTTPServer`` speaking HTTP/1.1 with
keep-alive, one thread per connection (a slow page never holds up the others). It turns each
request into a ``Request`` value, asks ``answer`` for a ``Response`` and writes it, streaming
large bodies and using chunked transfer encoding when no length is known.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.sites.demoweb.http_types import HeaderMap, Request, Response


class DemoHTTPServer(ThreadingHTTPServer):
    """Serves ``answer(request)`` on ``address``; ``close_connections`` ends idle keep-alives."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], answer: Callable[[Request], Response]) -> None:
        self.answer = answer
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End idle keep-alive connections so their threads finish with the server."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes; with Nagle on, each response would wait
    # for the client's delayed ACK (~40 ms) and the server would manage ~25 pages/s.
    disable_nagle_algorithm = True
    server_version = "nginx"
    server: DemoHTTPServer

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(min(length, 1024 * 1024))
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log on ``DemoWeb.requests`` replaces the stderr access log."""

    def _serve(self) -> None:
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=split.path or "/",
            query=parse_qs(split.query, keep_blank_values=True),
            headers=HeaderMap(self.headers.items()),
            target=self.path,
        )
        response = self.server.answer(request)
        try:
            self._write(response)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. a size limit): not our error

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        body = response.body
        if response.status == 304 or (response.status < 200):
            self.end_headers()
            return
        if isinstance(body, bytes):
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        chunked = response.length is None
        self.send_header(
            *(("Transfer-Encoding", "chunked") if chunked else ("Content-Length", str(response.length)))
        )
        self.end_headers()
        if self.command == "HEAD":
            return
        for piece in body:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
