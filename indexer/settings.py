"""What the indexer reads from the configuration, resolved once: names, files, thresholds.

Everything the indexer keeps on disk lives under radar.yaml's ``data`` folders: the spool in
``data.spool``, the near-duplicate store, the case pins, the writer lock and the retention log
in ``data.state``; evidence files (written by the crawler) in ``data.evidence``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from indexer.templates import IndexNames
from radar.config.loaded import Config


@dataclass(frozen=True)
class IndexerSettings:
    names: IndexNames
    spool_dir: Path
    state_dir: Path
    evidence_dir: Path
    near_duplicate_threshold: float = 0.8
    retention_days: int = 365  # for sources without their own
    source_retention_days: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_config(cls, config: Config) -> IndexerSettings:
        radar = config.radar
        return cls(
            names=IndexNames(radar.elasticsearch.index_prefix),
            spool_dir=radar.data.spool,
            state_dir=radar.data.state,
            evidence_dir=radar.data.evidence,
            near_duplicate_threshold=radar.near_duplicates.threshold,
            retention_days=radar.retention_days,
            source_retention_days=MappingProxyType(
                {name: config.retention_days_for(source) for name, source in config.sources.items()}
            ),
        )

    @property
    def spool_path(self) -> Path:
        return self.spool_dir / "spool.sqlite"

    @property
    def near_duplicates_path(self) -> Path:
        return self.state_dir / "near_duplicates.sqlite"

    @property
    def pins_path(self) -> Path:
        return self.state_dir / "pins.sqlite"

    @property
    def lock_path(self) -> Path:
        return self.state_dir / "indexer.lock"

    @property
    def retention_log_path(self) -> Path:
        return self.state_dir / "retention.jsonl"

    def retention_for(self, source: str) -> int:
        """Days to keep a source's adverts (a source no longer configured gets the default)."""
        return self.source_retention_days.get(source, self.retention_days)
