"""Python's cyclic garbage collector, set for a crawl: start-up frozen, young objects collected on a clock.

A crawl process holds some 120,000 objects once its components are built (Scrapy, Twisted,
dateparser's languages, the configuration), nearly all of them for its whole life. With Python's
default thresholds the collector went through all of them in every full collection (about 85 ms
each, one every few hundred pages), and through the objects a page has in flight (its request,
response and advert, the tasks waiting for the enrichment and spool batches) in a young
collection every 700 allocations: together about 0.2 ms of CPU per page, a fifth of the crawl
process's work (docs/benchmarks.md, issue 3, sixth session). Those objects hold no reference
cycles; reference counting frees them without the collector.

So, while the spider runs (``GarbageCollectorExtension``):

- what start-up built is frozen (``gc.freeze``): full collections skip it. Only the young
  generations are collected first: start-up's older garbage is a few hundred objects, not worth
  a full collection (57 ms) at every spider start;
- the two young generations are collected every ``GC_COLLECT_INTERVAL`` seconds (2) instead of
  every 700 allocations; ``GC_YOUNG_THRESHOLD`` (50,000) stays as the backstop for a burst of
  allocations. Some pages do leave cycles behind (a response with its cached selector and parsed
  document): the clock bounds how many can pile up by time, so a crawl holds at most a couple of
  seconds' worth of them;
- everything not frozen is collected every ``GC_FULL_INTERVAL`` seconds (30). Cycles that lived
  through two young collections (a rendered page's objects do: a render takes seconds) reach the
  oldest generation, which Python collects only after 50,000 allocations in a row now: a slow
  rendered crawl grew by ≈3 MB per 100 pages without this clock. Frozen start-up left out, a full
  collection costs a few milliseconds.

Everything made after start-up is still collected. When the spider closes, the thresholds are
restored and the frozen objects given back to the collector, so a test run or another crawl in
the same process finds the collector as it was.
"""

from __future__ import annotations

import gc
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

# Generation 1 holds what outlived one young collection; collecting it with the young one moves
# only objects older than two intervals into the oldest generation (Python's own rules decide
# when that one is collected).
_YOUNG_GENERATIONS = 1
_ALL_GENERATIONS = 2


class GarbageCollectorExtension:
    def __init__(
        self, young_threshold: int, interval: float, clock: Any = None, full_interval: float = 0.0
    ) -> None:
        self.young_threshold = young_threshold
        self.interval = interval
        self.full_interval = full_interval
        self.clock = clock  # the reactor's own unless given (tests)
        self._saved_threshold: tuple[int, int, int] | None = None
        self._clock: LoopingCall | None = None
        self._full_clock: LoopingCall | None = None
        self._unfreeze_at_close = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> GarbageCollectorExtension:
        settings = crawler.settings
        if not settings.getbool("GC_ENABLED", True):
            raise NotConfigured("GC_ENABLED is off")
        extension = cls(
            settings.getint("GC_YOUNG_THRESHOLD", 50_000),
            settings.getfloat("GC_COLLECT_INTERVAL", 2.0),
            full_interval=settings.getfloat("GC_FULL_INTERVAL", 30.0),
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        # Start-up's own recent garbage, so that it is not frozen with the rest. Only the young
        # generations: a full collection here went through all ~120,000 objects (57 ms) to find
        # some 300 unreachable ones; the few older ones are frozen, and given back at the end.
        gc.collect(_YOUNG_GENERATIONS)
        # Someone else's frozen objects (the process froze its own start-up) stay frozen at the end.
        self._unfreeze_at_close = gc.get_freeze_count() == 0
        gc.freeze()
        before = gc.get_threshold()
        self._saved_threshold = before
        gc.set_threshold(max(before[0], self.young_threshold), before[1], before[2])
        if self.interval > 0:
            self._clock = self._every(self.interval, _YOUNG_GENERATIONS)
        if self.full_interval > 0:
            self._full_clock = self._every(self.full_interval, _ALL_GENERATIONS)

    def _every(self, interval: float, generation: int) -> LoopingCall:
        call = LoopingCall(gc.collect, generation)
        if self.clock is not None:
            call.clock = self.clock
        call.start(interval, now=False)
        return call

    def spider_closed(self) -> None:
        for call in (self._clock, self._full_clock):
            if call is not None and call.running:
                call.stop()
        self._clock = self._full_clock = None
        if self._saved_threshold is not None:
            gc.set_threshold(*self._saved_threshold)
            self._saved_threshold = None
            if self._unfreeze_at_close:
                gc.unfreeze()
