"""The web app's lean HTTP node under the Elasticsearch client (``web.es_node``): the same answers
and errors as the client's default node from the real local Elasticsearch, kept-alive connections
reused, and a connection the server closed, a refused port or a silent server reported the way the
client's callers expect."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import pytest
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import Elasticsearch, NotFoundError

from indexer.query import SearchRequest
from indexer.search import search
from tests.integration.web.world import World
from web.es_node import PlainHttpNode, serves

pytestmark = pytest.mark.es

INDEX = "web-es-node-test"


def plain_client(url: str, **options: Any) -> Elasticsearch:
    return Elasticsearch(url, node_class=PlainHttpNode, **options)


@pytest.fixture
def adverts(es_client: Elasticsearch) -> Iterator[str]:
    es_client.options(ignore_status=404).indices.delete(index=INDEX)
    texts = ["boat to Lampedusa 2000 EUR", "passport and visa, call +218 91 234 5678", "قارب إلى إيطاليا"]
    for number, text in enumerate(texts):
        es_client.index(index=INDEX, id=str(number), document={"text": text, "n": number})
    es_client.indices.refresh(index=INDEX)
    yield INDEX
    es_client.options(ignore_status=404).indices.delete(index=INDEX)


def node_of(client: Elasticsearch) -> PlainHttpNode:
    node = client.transport.node_pool.all()[0]
    assert isinstance(node, PlainHttpNode)
    return node


def test_answers_are_those_of_the_default_node(es_client: Elasticsearch, es_url: str, adverts: str) -> None:
    client = plain_client(es_url)
    try:
        for query in ({"match": {"text": "boat"}}, {"match": {"text": "قارب"}}, {"match_all": {}}):
            mine = client.search(index=adverts, query=query, sort=["n"]).body
            theirs = es_client.search(index=adverts, query=query, sort=["n"]).body
            assert mine["hits"] == theirs["hits"]
        with pytest.raises(NotFoundError):
            client.search(index="web-es-node-no-such-index", query={"match_all": {}})
    finally:
        client.close()


def test_the_indexers_search_runs_on_one_kept_alive_connection(
    es_client: Elasticsearch, es_url: str, web_world: World
) -> None:
    client = plain_client(es_url)
    alias = web_world.settings.alias
    requests = [SearchRequest(query=q, limit=5) for q in ("boat", "passport", "جواز سفر")] * 2
    try:
        results = [search(client, alias, request).as_dict() for request in requests]
        node = node_of(client)
        assert len(node._idle) == 1  # six searches, one connection, back among the idle ones
    finally:
        client.close()
    assert node._idle == []
    expected = [search(es_client, alias, request).as_dict() for request in requests]
    assert [{**r, "took_ms": 0} for r in results] == [{**r, "took_ms": 0} for r in expected]
    assert any(hit["highlights"] for r in results for hit in r["hits"])  # highlight offsets came through


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers like Elasticsearch's root endpoint; ``close`` ends each connection after its answer
    without telling the client (as a restarted node or an idle timeout would)."""

    protocol_version = "HTTP/1.1"
    close = False
    hold: threading.Event | None = None
    connections: ClassVar[set[tuple[str, int]]] = set()

    def do_GET(self) -> None:
        type(self).connections.add(self.client_address)
        if self.hold is not None:
            self.hold.wait(10)
        body = json.dumps({"version": {"number": "8.14.3"}, "tagline": "You Know, for Search"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = self.close

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serving(handler: type[_Recorder]) -> Iterator[str]:
    handler.connections = set()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_connection_the_server_closed_is_not_used_again() -> None:
    class Closing(_Recorder):
        close = True

    with serving(Closing) as url:
        client = plain_client(url, max_retries=0)
        try:
            answers = [client.info().body["tagline"] for _ in range(3)]
        finally:
            client.close()
    # Without a retry allowed, each request succeeded on a new connection.
    assert answers == ["You Know, for Search"] * 3 and len(Closing.connections) == 3


def test_a_kept_alive_connection_is_used_again() -> None:
    class Keeping(_Recorder):
        pass

    with serving(Keeping) as url:
        client = plain_client(url)
        try:
            for _ in range(3):
                client.info()
        finally:
            client.close()
    assert len(Keeping.connections) == 1


def test_a_refused_connection_is_the_clients_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the probe is closed
    client = plain_client(f"http://127.0.0.1:{port}", max_retries=0)
    try:
        with pytest.raises(TransportConnectionError):
            client.info()
    finally:
        client.close()


def test_a_silent_server_is_the_clients_timeout() -> None:
    release = threading.Event()

    class Silent(_Recorder):
        hold = release

    with serving(Silent) as url:
        client = plain_client(url, max_retries=0, request_timeout=0.2)
        try:
            with pytest.raises(ConnectionTimeout):
                client.info()
        finally:
            release.set()
            client.close()


def test_only_plain_http_clusters_get_the_lean_node() -> None:
    from elastic_transport import NodeConfig

    assert PlainHttpNode(NodeConfig("http", "127.0.0.1", 9200)).base_url == "http://127.0.0.1:9200"
    with pytest.raises(ValueError, match="plain http"):
        PlainHttpNode(NodeConfig("https", "127.0.0.1", 9200))
    with pytest.raises(ValueError, match="plain http"):
        PlainHttpNode(NodeConfig("http", "127.0.0.1", 9200, http_compress=True))
    # The web app's choice (web.state) asks the same of the URL and the client options.
    assert serves("http://127.0.0.1:9200", {})
    assert not serves("https://127.0.0.1:9200", {})
    assert not serves("http://127.0.0.1:9200", {"http_compress": True})
