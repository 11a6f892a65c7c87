"""The crawl's garbage-collector settings: start-up frozen and young objects collected on a clock
while the spider runs, everything as it was once it closes, and cycles still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from twisted.internet.task import Clock

from crawlers.garbage import GarbageCollectorExtension


@pytest.fixture
def collector_as_found() -> Iterator[None]:
    """Each test starts with nothing frozen (earlier tests may have frozen their start-up, as the
    enrichment pipeline does) and leaves the collector's settings as it found them."""
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    gc.unfreeze()
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()
    if frozen:
        gc.freeze()


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def _young_collections() -> int:
    return int(gc.get_stats()[1]["collections"])


@pytest.mark.usefixtures("collector_as_found")
def test_start_up_is_frozen_and_the_young_generations_collected_on_the_clock() -> None:
    before = gc.get_threshold()
    clock = Clock()
    extension = GarbageCollectorExtension(50_000, 2.0, clock=clock)
    extension.spider_opened()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (max(before[0], 50_000), before[1], before[2])

    cycle = _Cycle()
    gone = weakref.ref(cycle)
    del cycle
    collections = _young_collections()
    clock.advance(1.9)
    assert gone() is not None and _young_collections() == collections  # not yet: 2 s not passed
    clock.advance(0.2)
    assert gone() is None  # collected by the clock, not by an allocation count
    assert _young_collections() == collections + 1

    extension.spider_closed()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert not clock.getDelayedCalls()  # the clock stopped with the spider


@pytest.mark.usefixtures("collector_as_found")
def test_recent_garbage_is_collected_not_frozen() -> None:
    """Start-up's recent cycles are freed before the freeze (a young collection, not a full one)."""
    gc.collect()
    cycle = _Cycle()
    gone = weakref.ref(cycle)
    del cycle
    full = _full_collections()
    extension = GarbageCollectorExtension(50_000, 0.0, clock=Clock())
    extension.spider_opened()
    assert gone() is None
    assert _full_collections() == full  # the ~120,000 objects of start-up were not walked
    extension.spider_closed()


def _full_collections() -> int:
    return int(gc.get_stats()[2]["collections"])


@pytest.mark.usefixtures("collector_as_found")
def test_everything_not_frozen_is_collected_on_the_slower_clock() -> None:
    """A cycle that reached the oldest generation (it lived through young collections, as a
    rendered page's objects do) is freed by the full collection's clock, not left to Python's."""
    clock = Clock()
    extension = GarbageCollectorExtension(50_000, 2.0, clock=clock, full_interval=30.0)
    extension.spider_opened()
    cycle = _Cycle()
    gone = weakref.ref(cycle)
    gc.collect(1)  # survives a young collection: now in the oldest generation
    del cycle
    full = _full_collections()
    clock.advance(28.5)  # young collections run every 2 s and do not reach it
    assert gone() is not None and _full_collections() == full
    clock.advance(2.0)
    assert gone() is None
    assert _full_collections() == full + 1
    extension.spider_closed()
    assert not clock.getDelayedCalls()  # both clocks stopped with the spider


@pytest.mark.usefixtures("collector_as_found")
def test_objects_someone_else_froze_stay_frozen() -> None:
    gc.freeze()
    extension = GarbageCollectorExtension(50_000, 0.0, clock=Clock())
    extension.spider_opened()
    extension.spider_closed()
    assert gc.get_freeze_count() > 0


def test_the_project_turns_it_on_and_a_setting_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    settings = get_project_settings()
    assert "crawlers.garbage.GarbageCollectorExtension" in settings.getdict("EXTENSIONS")
    assert settings.getbool("GC_ENABLED")

    class Crawler:
        def __init__(self, settings: Settings) -> None:
            self.settings = settings

    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        GarbageCollectorExtension.from_crawler(Crawler(Settings({"GC_ENABLED": False})))
