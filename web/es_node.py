"""The web app's HTTP connections to Elasticsearch: the standard library's ``http.client`` on
kept-alive connections, under the Elasticsearch client (as its ``node_class``).

Every search of the web app is one HTTP request to Elasticsearch, sent and read in the worker's
Python process. The client's default node sends it through urllib3, whose request and response
handling (retry and timeout objects, header dictionaries, response wrappers) is Python run for
every request. ``http.client`` underneath it does the same HTTP/1.1 with less of that: measured
on the 1,000,000-advert index, a page of hits and facets (a 50 kB answer) cost a thread 0.62 ms
of CPU through urllib3 and 0.43 ms through ``http.client`` (reading the JSON included), and the
whole client call about 0.15-0.3 ms less with this node; under load, the web worker's CPU per API
request fell by 0.3-0.4 ms (``docs/benchmarks.md``).

Only for plain ``http://`` clusters without request compression (a node on the same machine or
network, as in the deployments the project knows); :func:`fits` says when, and an ``https://``
cluster keeps the client's default node with its certificate handling. Everything else stays
the client's: retries (a refused or broken connection is reported as the client's
``ConnectionError``, so the client retries it as before; an idle connection the node closed
is noticed before use), timeouts, authentication headers,
the product check, errors by status.
"""

from __future__ import annotations

import http.client
import platform
import select
import socket
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from elastic_transport import (
    ApiResponseMeta,
    BaseNode,
    ConnectionTimeout,
    HttpHeaders,
    NodeConfig,
)
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport._node._base import NodeApiResponse  # the result type nodes return
from elastic_transport.client_utils import DEFAULT, DefaultType


def fits(config: NodeConfig) -> bool:
    """True when :class:`PlainHttpNode` can serve this node (plain http, no compression)."""
    return config.scheme == "http" and not config.http_compress


def serves(url: str, client_options: Mapping[str, Any]) -> bool:
    """:func:`fits` for a cluster as the client is configured: its URL and client options."""
    return urlsplit(url).scheme == "http" and not client_options.get("http_compress")


class PlainHttpNode(BaseNode):
    """One Elasticsearch node over plain HTTP/1.1: a stack of idle kept-alive connections,
    one connection per request in flight (so as many as the threads that search at once)."""

    _CLIENT_META_HTTP_CLIENT = ("hc", platform.python_version())

    def __init__(self, config: NodeConfig) -> None:
        if not fits(config):
            raise ValueError(f"{self.__class__.__name__} serves plain http without compression only")
        super().__init__(config)
        self._idle: list[http.client.HTTPConnection] = []
        self._max_idle = max(1, config.connections_per_node)
        self._lock = threading.Lock()

    def perform_request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: DefaultType | float | None = DEFAULT,
    ) -> NodeApiResponse:
        timeout = self.config.request_timeout if isinstance(request_timeout, DefaultType) else request_timeout
        sent = self.headers.copy()
        if headers:
            sent.update(headers)
        started = time.time()
        path = self.path_prefix + target
        connection = self._take()
        try:
            if connection is not None:
                try:
                    response, data = _exchange(connection, timeout, method, path, body, sent)
                except _CLOSED_UNDER_US:
                    # The node closed this idle connection just as it was taken (the check above
                    # cannot see a close still on its way): the request goes once more, on a new one.
                    connection.close()
                    connection = None
            if connection is None:
                connection = self._connect(timeout)
                response, data = _exchange(connection, timeout, method, path, body, sent)
        except TimeoutError as error:  # socket.timeout is TimeoutError
            _close(connection)
            raise ConnectionTimeout("Connection timed out during request", errors=(error,)) from error
        except (OSError, http.client.HTTPException) as error:
            _close(connection)
            raise TransportConnectionError(str(error), errors=(error,)) from error
        except BaseException:
            _close(connection)  # half-read: the connection cannot carry another request
            raise
        if response.will_close:
            connection.close()
        else:
            self._give_back(connection)
        meta = ApiResponseMeta(
            node=self.config,
            duration=time.time() - started,
            http_version="1.1" if response.version == 11 else "1.0",
            status=response.status,
            headers=HttpHeaders(response.getheaders()),
        )
        return NodeApiResponse(meta, data)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _connect(self, timeout: float | None) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        connection.connect()
        if connection.sock is not None:
            # Each request goes out in one write; no waiting on Nagle for the small ones.
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def _take(self) -> http.client.HTTPConnection | None:
        """The most recently used idle connection that the node has not closed meanwhile, if any."""
        while True:
            with self._lock:
                if not self._idle:
                    return None
                connection = self._idle.pop()
            if _still_open(connection):
                return connection
            connection.close()

    def _give_back(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < self._max_idle:
                self._idle.append(connection)
                return
        connection.close()


# What a request on a connection the other end has closed meets: nothing was answered.
_CLOSED_UNDER_US = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


def _exchange(
    connection: http.client.HTTPConnection,
    timeout: float | None,
    method: str,
    path: str,
    body: bytes | None,
    headers: HttpHeaders,
) -> tuple[http.client.HTTPResponse, bytes]:
    if connection.sock is not None:
        connection.sock.settimeout(timeout)
    connection.request(method, path, body or None, headers=dict(headers))
    response = connection.getresponse()
    return response, response.read()


def _still_open(connection: http.client.HTTPConnection) -> bool:
    """An idle kept-alive connection has nothing to read: readable means the node closed it (a
    restart, an idle timeout) or sent stray bytes, and a request on it would fail."""
    if connection.sock is None:
        return False
    poller = select.poll()
    poller.register(connection.sock, select.POLLIN)
    return not poller.poll(0)


def _close(connection: http.client.HTTPConnection | None) -> None:
    if connection is not None:
        connection.close()
