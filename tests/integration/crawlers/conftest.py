"""Fixtures for crawler tests: the demo web on 127.0.0.1, a throwaway configuration around it,
and crawls run as child processes (``python -m scrapy crawl ...``, never a reactor in pytest).

``site(...)`` writes ``radar.yaml`` (data under tmp_path, SSRF exceptions as given) and a
sources folder holding copies of the shipped demo sources (``config/demo/sources``) plus any
extra sources YAML; ``site.crawl(kind, name)`` runs one crawl and returns its ``CrawlOutcome``;
``site.spooled()`` reads back what reached the spool.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import sqlite3
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawlers.runner import CrawlOutcome, crawl_source
from tests.sites.demoweb import DemoWeb

REPO = Path(__file__).resolve().parents[3]
DEMO_SOURCES = REPO / "config" / "demo" / "sources"
# Quick and quiet for tests; politeness is tested through settings, not by waiting.
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ENRICH_ENABLED": False,
    "RETRY_BACKOFF_BASE": 0.05,
    "DOWNLOAD_TIMEOUT": 15,
    "LOG_LEVEL": "INFO",
}

RADAR_YAML = """\
elasticsearch:
  url: http://127.0.0.1:9
smtp:
  host: 127.0.0.1
  port: 2525
  tls: none
  sender: radar@test.invalid
mdt_mailbox: mdt@test.invalid
analysts_mailbox: analysts@test.invalid
user_agent: "smokkelradar-test/0.1 (+https://smokkelradar.example/test)"
data:
  base: data
allowed_addresses: {allowed}
paths:
  sources: sources
  keywords: {keywords}
  alerts: alerts
"""


@dataclass
class Site:
    root: Path
    radar_yaml: Path
    demo: DemoWeb

    @property
    def data(self) -> Path:
        return self.root / "data"

    def crawl(self, kind: str, source: str, *, check: bool = False, **settings: Any) -> CrawlOutcome:
        outcome = crawl_source(
            kind, source, self.radar_yaml, settings={**FAST, **settings}, check=check, timeout=240
        )
        assert outcome.returncode == 0, "\n".join(outcome.log_tail)
        assert outcome.report is not None, "\n".join(outcome.log_tail)
        return outcome

    def spooled(self) -> dict[str, dict[str, Any]]:
        path = self.data / "spool" / "spool.sqlite"
        if not path.exists():
            return {}
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT advert_id, item FROM entries").fetchall()
        return {advert_id: json.loads(item) for advert_id, item in rows}

    def state(self, source: str) -> dict[str, Any]:
        return dict(
            json.loads((self.data / "state" / "crawl" / f"{source}.json").read_text(encoding="utf-8"))
        )


@pytest.fixture
def demo() -> Iterator[DemoWeb]:
    with DemoWeb.from_corpus() as web:
        yield web


@pytest.fixture
def make_site(tmp_path: Path, demo: DemoWeb, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Site]:
    def make(
        extra_sources: str = "",
        *,
        demo_sources: tuple[str, ...] = ("feed", "forum", "live", "sitemap", "telegram"),
        allowed: tuple[str, ...] = ("127.0.0.1",),
    ) -> Site:
        monkeypatch.setenv("SMOKKELRADAR_DEMO_WEB", demo.url)
        (tmp_path / "sources").mkdir()
        (tmp_path / "alerts").mkdir()
        for name in demo_sources:
            shutil.copy(DEMO_SOURCES / f"{name}.yaml", tmp_path / "sources" / f"{name}.yaml")
        if extra_sources:
            text = extra_sources.replace("DEMO", demo.url)
            (tmp_path / "sources" / "extra.yaml").write_text(text, encoding="utf-8")
        radar_yaml = tmp_path / "radar.yaml"
        radar_yaml.write_text(
            RADAR_YAML.format(allowed=json.dumps(list(allowed)), keywords=REPO / "config" / "keywords"),
            encoding="utf-8",
        )
        return Site(tmp_path, radar_yaml, demo)

    return make


class SocksServer:
    """A real SOCKS 5 proxy on 127.0.0.1 (RFC 1928/1929) that records every CONNECT it is asked for.

    It connects only to 127.0.0.1: a name must be in ``names`` (its own little resolver, for
    ``socks5h``), and any other target is refused with reply 2 — a test can never send a packet
    anywhere else through it. ``connects`` lists (host as asked, port, address type).
    """

    def __init__(self, username: str | None = None, password: str | None = None) -> None:
        self.username, self.password = username, password
        self.names = {"localhost": "127.0.0.1"}
        self.connects: list[tuple[str, int, str]] = []
        self.bad_logins = 0
        self._loop = asyncio.new_event_loop()
        self._server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def url(self, scheme: str = "socks5") -> str:
        return f"{scheme}://127.0.0.1:{self.port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._session(reader, writer)
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        wanted = 2 if self.username is not None else 0
        if version != 5 or wanted not in methods:
            writer.write(b"\x05\xff")
            return
        writer.write(bytes([5, wanted]))
        if wanted == 2:
            await reader.readexactly(1)
            user = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            secret = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            if (user, secret) != (self.username, self.password):
                self.bad_logins += 1
                writer.write(b"\x01\x01")
                return
            writer.write(b"\x01\x00")
        _, command, _, kind = await reader.readexactly(4)
        if kind == 1:
            host, label = socket.inet_ntop(socket.AF_INET, await reader.readexactly(4)), "ipv4"
        elif kind == 4:
            host, label = socket.inet_ntop(socket.AF_INET6, await reader.readexactly(16)), "ipv6"
        else:
            host, label = (await reader.readexactly((await reader.readexactly(1))[0])).decode(), "name"
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        self.connects.append((host, port, label))
        address = self.names.get(host, host)
        if command != 1 or address != "127.0.0.1":
            writer.write(b"\x05\x02\x00\x01\x00\x00\x00\x00\x00\x00")
            return
        try:
            target_reader, target_writer = await asyncio.open_connection(address, port)
        except OSError:
            writer.write(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
            return
        writer.write(b"\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x00")
        await asyncio.gather(_copy(reader, target_writer), _copy(target_reader, writer))

    def close(self) -> None:
        async def shut() -> None:
            self._server.close()
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.sleep(0.05)  # let the closed transports release their sockets

        asyncio.run_coroutine_threadsafe(shut(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


async def _copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    except OSError:
        pass
    finally:
        sink.close()


@pytest.fixture
def socks_server() -> Iterator[SocksServer]:
    server = SocksServer(username="investigator", password="s3cret pass")
    yield server
    server.close()


class Listener:
    """A TCP port on 127.0.0.1 that counts the connections made to it (and answers nothing)."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    port = Listener()
    yield port
    port.close()
