"""Where each corpus entry is published: its source on the demo web, its site id and its URL.

The demo web hosts six sources: the forum, two Telegram channels, the feed, the pages only
the sitemap reaches, and the JavaScript listing. Site ids (thread numbers, message ids,
article numbers) are assigned once over the whole corpus in posting order, with small gaps
as real sites have, so they grow with time and never change when entries are hidden or
published again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tests.sites.demoweb.corpus import CorpusEntry
from tests.sites.demoweb.textmarkup import ascii_slug, stable_hash

TELEGRAM_SOURCES = ("boza_express", "docs_vip")
SOURCES = ("forum", *TELEGRAM_SOURCES, "feed", "sitemap", "js")

# First site id per source; arbitrary, but distinct so ids never look alike across sources.
_FIRST_NUMBER = {
    "forum": 48210,
    "boza_express": 1200,
    "docs_vip": 310,
    "feed": 900,
    "sitemap": 70,
    "js": 5300,
}
# Item page paths of the sources that are not Telegram (those are /<channel>/<id>, as on t.me).
ITEM_PREFIX = {"forum": "/forum/advert/", "feed": "/feed/item/", "sitemap": "/pages/", "js": "/js/advert/"}


@dataclass(frozen=True)
class Placement:
    """One entry as published: ``number`` is the site's own id, ``path`` its item page."""

    entry: CorpusEntry
    source: str
    number: int
    slug: str
    path: str

    @property
    def data_post(self) -> str | None:
        """``<channel>/<id>`` for Telegram messages, as in their ``data-post`` attribute."""
        return f"{self.source}/{self.number}" if self.source in TELEGRAM_SOURCES else None


def telegram_channel_for(entry: CorpusEntry, decoy_index: int) -> str:
    """Document offers go to ``docs_vip``, crossings to ``boza_express``; decoys alternate."""
    if not entry.relevant:
        return TELEGRAM_SOURCES[decoy_index % 2]
    documents = entry.labels.get("documents") if entry.labels else None
    return "docs_vip" if documents else "boza_express"


class Catalog:
    """The fixed placement of every entry; read-only once built, so threads share it freely."""

    def __init__(self, entries: Iterable[CorpusEntry]) -> None:
        ordered = sorted(entries, key=lambda e: (e.posted, e.id))
        self.by_id: dict[str, Placement] = {}
        self.by_source: dict[str, list[Placement]] = {source: [] for source in SOURCES}
        self.by_path: dict[str, Placement] = {}
        next_number = dict(_FIRST_NUMBER)
        decoys = 0
        for entry in ordered:
            if entry.channel == "telegram":
                source = telegram_channel_for(entry, decoys)
                decoys += 0 if entry.relevant else 1
            else:
                source = entry.channel
            number = next_number[source]
            next_number[source] += 1 + stable_hash(entry.id, "gap") % 3
            placement = self._place(entry, source, number)
            self.by_id[entry.id] = placement
            self.by_source[source].append(placement)
            self.by_path[placement.path] = placement

    @staticmethod
    def _place(entry: CorpusEntry, source: str, number: int) -> Placement:
        if source in TELEGRAM_SOURCES:
            return Placement(entry, source, number, str(number), f"/{source}/{number}")
        words = ascii_slug(entry.title or "")
        slug = f"{number}-{words}" if words and source != "js" else str(number)
        return Placement(entry, source, number, slug, ITEM_PREFIX[source] + slug)

    def placement(self, entry_id: str) -> Placement:
        try:
            return self.by_id[entry_id]
        except KeyError:
            raise KeyError(f"no corpus entry with id {entry_id!r} on the demo web") from None

    def find(self, source: str, slug: str) -> Placement | None:
        """The placement of ``source`` whose slug (or, for Telegram, message id) is ``slug``."""
        path = f"/{source}/{slug}" if source in TELEGRAM_SOURCES else ITEM_PREFIX[source] + slug
        return self.by_path.get(path)
