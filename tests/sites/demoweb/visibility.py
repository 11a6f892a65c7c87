"""Which entries the demo web currently publishes, so tests can add adverts between crawls.

A change of visibility moves the collections' modification time forward by at least a
second (HTTP dates have second resolution), so ``If-Modified-Since`` never answers 304
for a listing or feed whose content changed, even when an old entry is published again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from tests.sites.demoweb.catalog import SOURCES, Catalog, Placement

# Before any corpus date: the modification time of a site that publishes nothing yet.
_EMPTY_SITE_MTIME = datetime(2026, 7, 1, tzinfo=UTC)


class Visibility:
    """The set of published entry ids, safe to change while the server answers requests."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._lock = threading.Lock()
        self._visible: set[str] = set(catalog.by_id)
        self._mtime = self._newest_visible()

    @property
    def visible_ids(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._visible)

    @property
    def collections_modified(self) -> datetime:
        """Last-Modified of every listing, feed and sitemap."""
        with self._lock:
            return self._mtime

    def is_visible(self, entry_id: str) -> bool:
        with self._lock:
            return entry_id in self._visible

    def visible_in(self, source: str) -> list[Placement]:
        """The published entries of ``source``, oldest first."""
        with self._lock:
            return [p for p in self._catalog.by_source[source] if p.entry.id in self._visible]

    def publish(self, ids: Iterable[str]) -> None:
        wanted = self._known(ids)
        self._change(lambda visible: visible | wanted)

    def hide(self, ids: Iterable[str]) -> None:
        unwanted = self._known(ids)
        self._change(lambda visible: visible - unwanted)

    def publish_all(self) -> None:
        self._change(lambda _: set(self._catalog.by_id))

    def hide_all(self) -> None:
        self._change(lambda _: set())

    def publish_first(self, n: int, source: str | None = None) -> None:
        """Publish exactly the ``n`` oldest entries of ``source`` (of every source when None)."""
        if source is not None and source not in SOURCES:
            raise KeyError(f"unknown demo web source {source!r}; sources are {', '.join(SOURCES)}")
        sources = SOURCES if source is None else (source,)
        chosen = {s: {p.entry.id for p in self._catalog.by_source[s][:n]} for s in sources}
        everything_of = {s: {p.entry.id for p in self._catalog.by_source[s]} for s in sources}

        def apply(visible: set[str]) -> set[str]:
            for s in sources:
                visible = (visible - everything_of[s]) | chosen[s]
            return visible

        self._change(apply)

    def publish_until(self, when: datetime) -> None:
        """Publish every entry posted at or before ``when`` and hide the rest."""
        self._change(lambda _: {i for i, p in self._catalog.by_id.items() if p.entry.posted <= when})

    def _known(self, ids: Iterable[str]) -> set[str]:
        wanted = set([ids] if isinstance(ids, str) else ids)
        unknown = sorted(wanted - set(self._catalog.by_id))
        if unknown:
            raise KeyError(f"no corpus entries with ids {unknown} on the demo web")
        return wanted

    def _change(self, update: Callable[[set[str]], set[str]]) -> None:
        with self._lock:
            new = update(set(self._visible))
            if new == self._visible:
                return
            self._visible = new
            self._mtime = max(self._mtime + timedelta(seconds=1), self._newest_visible())

    def _newest_visible(self) -> datetime:
        posted = [p.entry.posted for i, p in self._catalog.by_id.items() if i in self._visible]
        return max(posted, default=_EMPTY_SITE_MTIME).replace(microsecond=0)
