"""From a source in the configuration to the Scrapy settings of its crawl.

``load_source(config_path, name, kind)`` loads radar.yaml and everything it names and
returns the source, with clear errors for an unknown name or a spider of the wrong kind.
``apply_source_settings`` puts the source's politeness, robots rule, the user agent and
the data folders into the crawler's settings before Scrapy freezes them; values given on
the command line (``-s KEY=VALUE``) still win.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radar.config.loaded import Config, Origin
from radar.config.loader import default_config_path, load_config
from radar.config.sources import FeedSource, ListingSource, RenderedSource, SitemapSource, Source
from radar.errors import Code, RadarError

SPIDER_PRIORITY = "spider"


@dataclass(frozen=True)
class SourceContext:
    config: Config
    source: Source

    @property
    def origin(self) -> Origin | None:
        return self.config.source_origins.get(self.source.name)

    @property
    def state_dir(self) -> Path:
        return self.config.radar.data.state

    @property
    def spool_path(self) -> Path:
        from indexer.settings import IndexerSettings  # the indexer owns where its spool lives

        return IndexerSettings.from_config(self.config).spool_path


def load_source(config_path: str | Path | None, name: str | None, kind: str) -> SourceContext:
    if not name:
        raise RadarError(
            Code.CRAWL_UNKNOWN_SOURCE,
            f"name the source to crawl: scrapy crawl {kind} -a source=NAME [-a config=config/radar.yaml]",
        )
    path = Path(config_path) if config_path else default_config_path()
    config = load_config(path)
    source = config.sources.get(name)
    if source is None:
        known = ", ".join(sorted(s.name for s in config.sources.values() if s.kind == kind)) or "none"
        raise RadarError(
            Code.CRAWL_UNKNOWN_SOURCE, f"no source named '{name}' in {path} ({kind} sources: {known})"
        )
    if source.kind != kind:
        raise RadarError(
            Code.CRAWL_WRONG_KIND,
            f"source '{name}' is a {source.kind} source: crawl it with `scrapy crawl {source.kind} "
            f"-a source={name}`",
        )
    return SourceContext(config, source)


# Items of one response processed at once (Scrapy's CONCURRENT_ITEMS). Scrapy starts that many
# asyncio tasks for every response, however few items it holds: measured, 20 of them cost 0.6 ms
# of CPU per page on a 2,000-page crawl. Pages holding many adverts (channel pages, feeds, blocks)
# need the parallelism (their adverts wait for enrichment together); pages holding one advert
# (an advert page reached by a link) or only links need none.
MANY_ITEMS_PER_PAGE = 20
ONE_ITEM_PER_PAGE = 1


def items_per_response(source: Source) -> int:
    """``CONCURRENT_ITEMS`` for a source: 1 when each page yields at most one advert."""
    if isinstance(source, SitemapSource):
        return ONE_ITEM_PER_PAGE
    if isinstance(source, ListingSource | RenderedSource):
        return ONE_ITEM_PER_PAGE if source.selectors.item is None else MANY_ITEMS_PER_PAGE
    if isinstance(source, FeedSource) and source.follow_links:
        return ONE_ITEM_PER_PAGE
    return MANY_ITEMS_PER_PAGE


def source_settings(context: SourceContext) -> dict[str, Any]:
    """The settings a source decides, by name."""
    source, radar = context.source, context.config.radar
    delay = source.politeness.delay.total_seconds()
    return {
        "USER_AGENT": radar.user_agent,
        "ROBOTSTXT_OBEY": source.robots.obey,
        "CONCURRENT_REQUESTS_PER_DOMAIN": source.politeness.concurrency,
        "CONCURRENT_REQUESTS": max(source.politeness.concurrency, 1) * 4,
        "DOWNLOAD_DELAY": delay,
        # AutoThrottle starts at the configured pause and never goes below it.
        "AUTOTHROTTLE_START_DELAY": delay,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(source.politeness.concurrency),
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": source.politeness.concurrency,
        "CONCURRENT_ITEMS": items_per_response(source),
        "SPOOL_PATH": str(context.spool_path),
        "EVIDENCE_DIR": str(radar.data.evidence),
        "STATE_DIR": str(context.state_dir),
    }


def apply_source_settings(settings: Any, context: SourceContext) -> None:
    """Set the source's values at spider priority (the command line's ``-s`` overrides them)."""
    for key, value in source_settings(context).items():
        settings.set(key, value, priority=SPIDER_PRIORITY)


FEED_EXPORTER = "scrapy.extensions.feedexport.FeedExporter"


def drop_idle_feed_exporter(settings: Any) -> None:
    """Without ``-o``/``FEEDS`` Scrapy's feed exporter exports nothing, yet receives every advert's
    ``item_scraped`` signal, which Scrapy runs as an asyncio task per receiver: leave it out then."""
    if not settings.getdict("FEEDS"):
        extensions = {**settings.getdict("EXTENSIONS"), FEED_EXPORTER: None}
        settings.set("EXTENSIONS", extensions, priority=SPIDER_PRIORITY)


def skip_unlogged_scrapy_records(settings: Any) -> None:
    """Scrapy logs every response ("Crawled (200) ...") and every advert ("Scraped from ...") at
    DEBUG, and leaves its loggers' level open, so each record is built (the caller's frame looked
    up, about 4 µs) for its handlers to drop below ``LOG_LEVEL``. With its logger at ``LOG_LEVEL``
    they are not built at all; what is logged stays the same."""
    level = settings.get("LOG_LEVEL") or "DEBUG"
    number = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
    if isinstance(number, int):
        logging.getLogger("scrapy").setLevel(number)
