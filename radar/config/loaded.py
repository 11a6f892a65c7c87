"""The configuration as a whole, once every file validated: what the rest of smokkelradar reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from radar.config.alerts import SavedSearch
from radar.config.keywords import KeywordFile
from radar.config.problems import display_path
from radar.config.radar import Proxy, RadarConfig
from radar.config.sources import Source


@dataclass(frozen=True)
class Origin:
    """Where something was defined, for messages at run time ("source x (config/sources/a.yaml:12)")."""

    file: Path
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.file)}:{self.line}"


@dataclass(frozen=True)
class Config:
    """Everything in ``radar.yaml`` and the folders it names. Mappings are read-only.

    ``sources`` and ``alerts`` are keyed by name, ``keywords`` by file stem
    (``config/keywords/routes.yaml`` -> ``routes``); their ``*_origins`` give file and line.
    """

    root: Path  # the folder holding radar.yaml
    radar_file: Path
    radar: RadarConfig
    sources: Mapping[str, Source]
    keywords: Mapping[str, KeywordFile]
    alerts: Mapping[str, SavedSearch]
    source_origins: Mapping[str, Origin]
    alert_origins: Mapping[str, Origin]
    keyword_files: Mapping[str, Path]

    def __post_init__(self) -> None:
        # Read-only views, so no component can change what another one sees.
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, dict):
                object.__setattr__(self, item.name, MappingProxyType(value))

    def __reduce__(self) -> tuple[type[Config], tuple[Any, ...]]:
        # Mapping proxies cannot be pickled; rebuild from plain dicts (for child processes).
        values = (getattr(self, item.name) for item in fields(self))
        return (Config, tuple(dict(v) if isinstance(v, MappingProxyType) else v for v in values))

    def enabled_sources(self) -> list[Source]:
        return [source for source in self.sources.values() if source.enabled]

    def enabled_alerts(self) -> list[SavedSearch]:
        return [search for search in self.alerts.values() if search.enabled]

    def proxy_for(self, source: Source) -> Proxy | None:
        """The source's own proxy, else radar.yaml's default proxy, else None (direct)."""
        name = source.proxy or self.radar.default_proxy
        return self.radar.proxies[name] if name else None

    def retention_days_for(self, source: Source) -> int:
        return source.retention_days or self.radar.retention_days

    def recipients_for(self, search: SavedSearch) -> tuple[str, ...]:
        """The search's recipients, or the MDT mailbox when it names none."""
        return search.recipients or (self.radar.mdt_mailbox,)
