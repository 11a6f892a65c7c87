"""Crawl one source in a child process and read its run report.

A Twisted reactor cannot be restarted, so every crawl is its own ``python -m scrapy crawl``
process (the same command an operator may type). The child writes its report as JSON to a
file the parent names; ``crawl_source`` waits for it (with a timeout), and returns the report
with the exit status and the tail of the child's log for errors.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radar.logs import get_logger

log = get_logger("crawlers.runner")
REPO_ROOT = Path(__file__).resolve().parents[1]
LOG_TAIL_LINES = 30
LOG_KEEP_CHARS = 2_000_000


@dataclass
class CrawlOutcome:
    source: str
    returncode: int | None  # None: killed after the timeout
    report: dict[str, Any] | None
    log: str = ""  # the child's log (Scrapy's and ours), at most LOG_KEEP_CHARS from the end
    seconds: float = 0.0

    @property
    def log_tail(self) -> list[str]:
        return self.log.splitlines()[-LOG_TAIL_LINES:]

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.report is not None

    @property
    def new(self) -> int:
        return int((self.report or {}).get("adverts", {}).get("new", 0))

    @property
    def enriched(self) -> int:
        return int((self.report or {}).get("enriched", 0))

    def failure(self) -> str:
        if self.returncode is None:
            return "timed out"
        if self.ok:
            return ""
        lines = [line for line in self.log_tail if "Error" in line or "SR-E" in line] or self.log_tail[-3:]
        return (lines[-1] if lines else f"exit status {self.returncode}").strip()


def crawl_command(
    kind: str, source: str, config: Path, settings: Mapping[str, Any] | None = None, *, check: bool = False
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        kind,
        "-a",
        f"source={source}",
        "-a",
        f"config={config}",
    ]
    if check:
        command += ["-a", "check=1"]
    for key, value in (settings or {}).items():
        command += ["-s", f"{key}={value}"]
    return command


def crawl_source(
    kind: str,
    source: str,
    config: Path,
    *,
    settings: Mapping[str, Any] | None = None,
    check: bool = False,
    timeout: float = 3600.0,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
    env: Mapping[str, str] | None = None,
) -> CrawlOutcome:
    """Run ``scrapy crawl <kind> -a source=<source>`` to the end (or the timeout)."""
    with tempfile.TemporaryDirectory(prefix="smokkelradar-crawl-") as scratch:
        report_file = Path(scratch) / "report.json"
        progress_file = Path(scratch) / "progress.json"
        log_file = Path(scratch) / "crawl.log"
        every = {"REPORT_FILE": report_file, "REPORT_PROGRESS_FILE": progress_file, **(settings or {})}
        command = crawl_command(kind, source, config.resolve(), every, check=check)
        child_env = dict(os.environ if env is None else env)
        child_env["SCRAPY_SETTINGS_MODULE"] = "crawlers.settings"
        started = time.monotonic()
        with log_file.open("wb") as log_handle:
            process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=child_env, stdout=log_handle, stderr=log_handle
            )
            returncode = _wait(process, timeout, progress_file, on_progress)
        seconds = time.monotonic() - started
        report = _read_json(report_file)
        text = log_file.read_text(encoding="utf-8", errors="replace")[-LOG_KEEP_CHARS:]
    outcome = CrawlOutcome(source, returncode, report, text, seconds)
    if returncode != 0:
        log.error(
            "crawl of %s failed: %s",
            source,
            outcome.failure(),
            extra={"source": source, "returncode": returncode},
        )
    return outcome


def _wait(
    process: subprocess.Popen[bytes],
    timeout: float,
    progress_file: Path,
    on_progress: Callable[[dict[str, Any]], None] | None,
) -> int | None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
        if on_progress is not None:
            progress = _read_json(progress_file)
            if progress is not None:
                on_progress(progress)
        if time.monotonic() > deadline:
            process.terminate()  # Scrapy closes the spider gracefully on SIGTERM
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            return None


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
