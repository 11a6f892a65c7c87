"""What a source's crawls remember between runs, so a re-crawl fetches only what is new.

One JSON file per source under ``data.state/crawl/``: the advert ids already stored (with a
marker such as a sitemap ``lastmod``), HTTP validators (ETag, Last-Modified) of listing,
feed and channel pages, and per Telegram channel the newest message id stored (its
high-water mark). Written atomically at the end of a run; a lock file keeps two crawls of
one source from running at once.

A state file that cannot be read is set aside (``.corrupt-<time>``) and the crawl starts
afresh: at worst adverts are fetched again, and the spool stores them idempotently.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from radar.errors import Code, RadarError
from radar.logs import get_logger

log = get_logger("crawlers.state")
VERSION = 1


@dataclass
class Validators:
    etag: str | None = None
    last_modified: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("etag", self.etag), ("last_modified", self.last_modified)) if v}


@dataclass
class SourceState:
    path: Path
    seen: dict[str, str] = field(default_factory=dict)
    validators: dict[str, Validators] = field(default_factory=dict)
    high_water: dict[str, int] = field(default_factory=dict)
    last_run: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> SourceState:
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("version") != VERSION:
                raise ValueError(f"unknown state format (version {data.get('version')!r})")
            return cls(
                path,
                seen={str(k): str(v) for k, v in data.get("seen", {}).items()},
                validators={
                    str(url): Validators(v.get("etag"), v.get("last_modified"))
                    for url, v in data.get("validators", {}).items()
                },
                high_water={str(k): int(v) for k, v in data.get("high_water", {}).items()},
                last_run=dict(data.get("last_run", {})),
            )
        except (OSError, ValueError, TypeError, AttributeError) as error:
            aside = path.with_name(f"{path.name}.corrupt-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
            path.replace(aside)
            log.error(
                "crawl state unreadable; set aside, starting afresh",
                extra={"file": str(path), "moved_to": str(aside), "error": str(error)},
            )
            return cls(path)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "version": VERSION,
            "saved_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "seen": self.seen,
            "validators": {url: v.as_dict() for url, v in sorted(self.validators.items())},
            "high_water": self.high_water,
            "last_run": self.last_run,
        }
        temporary = self.path.with_name(self.path.name + ".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.path)


def state_path(state_dir: Path, source: str) -> Path:
    return state_dir / "crawl" / f"{source}.json"


class SourceLock:
    """An exclusive lock on one source for the length of a crawl (released when the process ends)."""

    def __init__(self, state_dir: Path, source: str) -> None:
        self.path = state_dir / "crawl" / f"{source}.lock"
        self.source = source
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            handle.close()
            raise RadarError(
                Code.CRAWL_SOURCE_BUSY,
                f"source '{self.source}' is being crawled by another process (lock {self.path})",
            ) from error
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
