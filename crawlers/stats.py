"""Scrapy's in-memory stats collector without its per-access wrapper.

Scrapy 2.19's ``StatsCollector`` runs a Python ``__getattribute__`` on every attribute read
(to wrap its methods in a warning about a deprecated ``spider`` argument), so each
``inc_value`` costs about 1.3 µs instead of 0.1 µs; a crawl makes about ten such calls per
page (scheduler, responses, items, our run report). This collector keeps the same stats and
the same methods — a ``spider`` argument is accepted and ignored, as Scrapy does — without
that wrapper.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class LeanStatsCollector(MemoryStatsCollector):
    """``STATS_CLASS`` of our crawls (``crawlers.settings``)."""

    __getattribute__ = object.__getattribute__
