"""What the web app reads from the configuration, resolved once at start-up.

The web app keeps its own state (accounts, sessions, the audit log) in ``<data.state>/web/``;
it reads the indexer's case pins and the alert ledger where those components keep them.
Tunables that radar.yaml has no section for (cookie security, lock-out, export size) are
set by ``smokkelradar web``'s options and checked here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from alerts.service import LEDGER_FILE
from indexer.settings import IndexerSettings
from radar.config.alerts import SavedSearch
from radar.config.loaded import Config
from radar.config.radar import ElasticsearchConfig
from radar.errors import Code, RadarError

# Elasticsearch pages a collapsed search by offset, which stops at index.max_result_window.
MAX_EXPORT = 10_000


@dataclass(frozen=True)
class WebSettings:
    alias: str  # the adverts alias searched
    state_dir: Path  # accounts, sessions, audit log
    pins_path: Path
    index_lock_path: Path
    evidence_dir: Path
    ledger_path: Path
    timezone: str = "Europe/Amsterdam"
    es: ElasticsearchConfig | None = None  # None: the caller passes a client
    saved_searches: Mapping[str, SavedSearch] = field(default_factory=lambda: MappingProxyType({}))
    config: Config | None = None  # for the analysts' configuration page
    secure_cookies: bool = True
    session_idle_minutes: float = 30.0
    session_max_hours: float = 12.0
    lockout_failures: int = 5
    lockout_minutes: float = 15.0
    lockout_address_failures: int = 20  # failed logins from one client address, any names
    export_limit: int = 5_000
    page_size: int = 20
    # Searches one worker sends to Elasticsearch at a time: at least search_slots, one more per
    # searches_per_slot waiting; the rest wait their turn in order (web.search_gate, measured in
    # docs/benchmarks.md on a 2-core machine).
    search_slots: int = 3
    searches_per_slot: int = 6

    def __post_init__(self) -> None:
        if not 1 <= self.export_limit <= MAX_EXPORT:
            raise RadarError(
                Code.WEB_INSECURE_SETUP,
                f"export_limit must be between 1 and {MAX_EXPORT}, got {self.export_limit}",
            )
        if self.search_slots < 1 or self.searches_per_slot < 0:
            raise RadarError(
                Code.WEB_INSECURE_SETUP,
                f"search_slots must be at least 1 (got {self.search_slots}) and searches_per_slot "
                f"at least 0 (got {self.searches_per_slot})",
            )
        if self.lockout_failures < 1 or self.lockout_address_failures < 1 or self.lockout_minutes <= 0:
            raise RadarError(
                Code.WEB_INSECURE_SETUP, "the lock-out needs at least 1 failure and a positive time"
            )

    @classmethod
    def from_config(cls, config: Config, **options: object) -> WebSettings:
        indexer = IndexerSettings.from_config(config)
        state = config.radar.data.state
        return cls(
            alias=indexer.names.alias,
            state_dir=state / "web",
            pins_path=indexer.pins_path,
            index_lock_path=indexer.lock_path,
            evidence_dir=indexer.evidence_dir,
            ledger_path=state / LEDGER_FILE,
            timezone=config.radar.timezone,
            es=config.radar.elasticsearch,
            saved_searches=config.alerts,
            config=config,
            **options,  # type: ignore[arg-type]
        )

    @property
    def accounts_path(self) -> Path:
        return self.state_dir / "accounts.sqlite"

    @property
    def sessions_path(self) -> Path:
        return self.state_dir / "sessions.sqlite"

    @property
    def audit_path(self) -> Path:
        return self.state_dir / "audit.sqlite"

    @property
    def session_cookie(self) -> str:
        # The __Host- prefix makes the browser refuse the cookie unless Secure, Path=/ and no Domain.
        return "__Host-sr_session" if self.secure_cookies else "sr_session"

    @property
    def login_cookie(self) -> str:
        return "__Host-sr_login" if self.secure_cookies else "sr_login"
