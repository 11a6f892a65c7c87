"""``DemoWeb``: the demo web as a server tests start in-process, with hooks to steer it.

    with DemoWeb(load_corpus()) as demo:          # 127.0.0.1, a free port
        demo.publish_first(5)                       # 5 oldest entries per source
        ... crawl demo.url ...
        demo.publish_all()                          # the rest appear
        ... crawl again, compare with demo.ground_truth_for(item_url) ...
        demo.requests                               # [(method, path?query, headers), ...]

The sockets are in ``http_server``, the pages in ``router`` and the renderers.
"""

from __future__ import annotations

import errno
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from radar.errors import Code, RadarError
from radar.logs import get_logger
from tests.sites.demoweb.catalog import SOURCES, Catalog, Placement
from tests.sites.demoweb.corpus import CorpusEntry, load_corpus
from tests.sites.demoweb.http_server import DemoHTTPServer
from tests.sites.demoweb.http_types import HeaderMap, Request, Response, page
from tests.sites.demoweb.router import Options, Router
from tests.sites.demoweb.visibility import Visibility

log = get_logger("demoweb")


class LoggedRequest(NamedTuple):
    """One request the demo web received; ``path`` includes the query string."""

    method: str
    path: str
    headers: HeaderMap


class DemoWeb:
    """The demo web over ``entries``: use as shown in the module docstring; URLs in ``router``."""

    def __init__(
        self,
        entries: Iterable[CorpusEntry],
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        forum_page_size: int = 10,
        telegram_page_size: int = 20,
        js_page_size: int = 5,
        huge_bytes: int = 5 * 1024 * 1024,
        slow_seconds: float = 3.0,
    ) -> None:
        self.catalog = Catalog(entries)
        self.visibility = Visibility(self.catalog)
        self.options = Options(forum_page_size, telegram_page_size, js_page_size, huge_bytes, slow_seconds)
        self.host = host
        self._wanted_port = port
        self._stopping = threading.Event()
        self.router = Router(self.catalog, self.visibility, self.options, self._stopping)
        self._log_lock = threading.Lock()
        self._requests: list[LoggedRequest] = []
        self._server: DemoHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_corpus(cls, paths: Iterable[Path | str] | None = None, **kwargs: Any) -> DemoWeb:
        """The demo web over the corpus files (default: ``tests/sites/corpus/adverts_*.yaml``)."""
        return cls(load_corpus(paths), **kwargs)

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> DemoWeb:
        if self._server is not None:
            return self
        try:
            server = DemoHTTPServer((self.host, self._wanted_port), self._answer)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise RadarError(
                    Code.DEMO_PORT_IN_USE, f"demo web: port {self.host}:{self._wanted_port} is already in use"
                ) from e
            raise
        self._stopping.clear()
        self._server = server
        # A short poll interval makes stop() quick (it waits for the loop to notice).
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="demoweb", daemon=True
        )
        self._thread.start()
        log.info("demo web serving", extra={"url": self.url, "entries": len(self.catalog.by_id)})
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # wakes /bad/slow answers
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        log.info("demo web stopped")

    def __enter__(self) -> DemoWeb:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the demo web is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        return f"http://{self.host}:{self.port}"

    # -- request log ----------------------------------------------------------------------------

    @property
    def requests(self) -> list[LoggedRequest]:
        """A copy of every request received so far, oldest first."""
        with self._log_lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._log_lock:
            self._requests.clear()

    def requested_paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def _answer(self, request: Request) -> Response:
        """Log the request, then let the router answer it (called on the connection's thread)."""
        with self._log_lock:
            self._requests.append(LoggedRequest(request.method, request.target, request.headers))
        try:
            return self.router.handle(request, self.url)
        except Exception:
            log.exception("demo web failed to answer", extra={"path": request.target})
            return page("<html><body><h1>Internal error</h1></body></html>", 500)

    # -- what is published ----------------------------------------------------------------------

    @property
    def sources(self) -> tuple[str, ...]:
        """forum, boza_express, docs_vip, feed, sitemap, js."""
        return SOURCES

    @property
    def visible_ids(self) -> frozenset[str]:
        return self.visibility.visible_ids

    def is_visible(self, entry_id: str) -> bool:
        return self.visibility.is_visible(entry_id)

    def publish(self, ids: Iterable[str]) -> None:
        self.visibility.publish(ids)

    def hide(self, ids: Iterable[str]) -> None:
        self.visibility.hide(ids)

    def publish_all(self) -> None:
        self.visibility.publish_all()

    def hide_all(self) -> None:
        self.visibility.hide_all()

    def publish_first(self, n: int, source: str | None = None) -> None:
        """Exactly the ``n`` oldest entries of ``source`` (of each source when None) are published."""
        self.visibility.publish_first(n, source)

    def publish_until(self, when: datetime) -> None:
        """Entries posted at or before ``when`` are published, later ones hidden."""
        self.visibility.publish_until(when)

    def entries_of(self, source: str, visible_only: bool = True) -> list[CorpusEntry]:
        """The entries of one source, oldest first."""
        placements = self.visibility.visible_in(source) if visible_only else self.catalog.by_source[source]
        return [p.entry for p in placements]

    # -- ground truth ---------------------------------------------------------------------------

    def placement(self, entry_id: str) -> Placement:
        """Where an entry is published: source, site id (``number``), ``path``, ``data_post``."""
        return self.catalog.placement(entry_id)

    def url_for(self, entry_id: str) -> str:
        """The absolute URL of an entry's item page (a Telegram message's post link)."""
        return self.url + self.catalog.placement(entry_id).path

    def entry_id_for(self, url: str) -> str | None:
        """The corpus id behind an item URL, path, or Telegram ``data-post`` (``docs_vip/312``)."""
        # A full URL or a path; anything else is a data-post such as "docs_vip/312".
        path = urlsplit(url).path if "://" in url or url.startswith("/") else "/" + url
        found = self.catalog.by_path.get(path.rstrip("/") or "/")
        return found.entry.id if found else None

    def ground_truth_for(self, url: str) -> CorpusEntry | None:
        """The corpus entry (with ``labels``) behind an item URL, whatever its host; None if none."""
        entry_id = self.entry_id_for(url)
        return self.catalog.by_id[entry_id].entry if entry_id else None

    def url_map(self, visible_only: bool = False) -> dict[str, str]:
        """Absolute item URL -> corpus id, for every entry (or only the published ones)."""
        visible = self.visibility.visible_ids
        return {
            self.url + p.path: entry_id
            for entry_id, p in self.catalog.by_id.items()
            if not visible_only or entry_id in visible
        }

    def reset_flaky(self) -> None:
        """Forget how often each ``/bad/flaky`` key was asked for."""
        self.router.flaky.reset()
