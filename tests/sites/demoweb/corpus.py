"""Load corpus entries (``adverts_*.yaml``) into typed records the demo web can render.

The schema is described in ``tests/sites/corpus/README.md``. This loader checks only what
the demo web relies on (keys, types, channel, date); the labels are carried along untouched
for ``DemoWeb.ground_truth_for`` and are checked in depth by the corpus's own validator.
Every problem of every file is reported at once as ``file:line: id: message``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from radar.errors import Code, RadarError
from tests.sites.corpus.entries import CorpusFileError, read_entries

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"
CHANNELS = ("forum", "telegram", "feed", "sitemap", "js")
_REQUIRED = frozenset({"id", "lang", "relevant", "channel", "text", "author", "posted", "labels"})
_OPTIONAL = frozenset({"title", "posted_display"})


class CorpusError(RadarError):
    """The corpus cannot be served: every problem found, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(Code.DEMO_CORPUS_INVALID, "the demo corpus is invalid:\n" + "\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CorpusEntry:
    """One advert or decoy as written in the corpus; ``labels`` is the ground truth."""

    id: str
    lang: str
    relevant: bool
    channel: str
    text: str
    author: str
    posted: datetime
    title: str | None = None
    posted_display: str | None = None
    labels: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    source: str = "<memory>"
    line: int = 0


def default_corpus_files(directory: Path = CORPUS_DIR) -> list[Path]:
    """The corpus files the demo web serves by default, in a stable order."""
    return sorted(directory.glob("adverts_*.yaml"))


def load_corpus(paths: Iterable[Path | str] | None = None) -> list[CorpusEntry]:
    """Every entry of the given files (default: the whole corpus); raise ``CorpusError`` on any problem."""
    files = [Path(p) for p in paths] if paths is not None else default_corpus_files()
    if not files:
        raise CorpusError([f"{CORPUS_DIR}: no adverts_*.yaml files found"])
    entries: list[CorpusEntry] = []
    problems: list[str] = []
    first_seen: dict[str, str] = {}
    for path in files:
        for entry in _load_file(path, problems):
            where = f"{entry.source}:{entry.line}"
            if entry.id in first_seen:
                problems.append(f"{where}: {entry.id}: duplicate id (first at {first_seen[entry.id]})")
                continue
            first_seen[entry.id] = where
            entries.append(entry)
    if problems:
        raise CorpusError(problems)
    return entries


def _load_file(path: Path, problems: list[str]) -> list[CorpusEntry]:
    try:
        raw_entries = read_entries(path)
    except CorpusFileError as e:
        problems.append(str(e))
        return []
    entries = []
    for line, raw in raw_entries:
        entry = _entry(raw, path, line, problems)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry(raw: dict[str, Any], path: Path, line: int, problems: list[str]) -> CorpusEntry | None:
    entry_id = str(raw.get("id", f"entry at line {line}"))
    before = len(problems)

    def bad(message: str) -> None:
        problems.append(f"{path}:{line}: {entry_id}: {message}")

    keys = set(raw)
    for key in sorted(_REQUIRED - keys):
        bad(f"missing key {key!r}")
    for key in sorted(keys - _REQUIRED - _OPTIONAL):
        bad(f"unknown key {key!r}")
    for key in ("id", "lang", "text", "author"):
        if key in raw and not (isinstance(raw[key], str) and raw[key].strip()):
            bad(f"{key} must be a non-empty string")
    if "relevant" in raw and not isinstance(raw["relevant"], bool):
        bad("relevant must be true or false")
    channel = raw.get("channel")
    if "channel" in raw and channel not in CHANNELS:
        bad(f"channel {channel!r} is not one of {', '.join(CHANNELS)}")
    title = raw.get("title")
    if title is not None and not (isinstance(title, str) and title.strip()):
        bad("title, when present, must be a non-empty string")
    if channel in CHANNELS and channel != "telegram" and title is None:
        bad(f"a {channel} entry needs a title")
    display = raw.get("posted_display")
    if display is not None and not isinstance(display, str):
        bad("posted_display must be a string")
    posted = _posted(raw.get("posted"), bad) if "posted" in raw else None
    if "labels" in raw and not isinstance(raw["labels"], Mapping):
        bad("labels must be a mapping")
    if len(problems) > before or posted is None:
        return None
    return CorpusEntry(
        id=str(raw["id"]),
        lang=str(raw["lang"]),
        relevant=bool(raw["relevant"]),
        channel=str(channel),
        text=str(raw["text"]),
        author=str(raw["author"]),
        posted=posted,
        title=str(title) if title is not None else None,
        posted_display=str(display) if display is not None else None,
        labels=raw["labels"],
        source=str(path),
        line=line,
    )


def _posted(value: Any, bad: Any) -> datetime | None:
    """Accept the documented ``2026-10-03T14:20:00Z`` (or an unquoted YAML timestamp)."""
    if isinstance(value, datetime):
        when = value
    else:
        try:
            when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            bad(f"posted {value!r} is not an ISO date-time like 2026-10-03T14:20:00Z")
            return None
    if when.tzinfo is None:
        # ruamel drops the zone of an unquoted "...Z" timestamp; the schema says UTC.
        when = when.replace(tzinfo=UTC)
    # A plain datetime in UTC (ruamel returns its own TimeStamp subclass).
    return datetime.fromtimestamp(when.timestamp(), tz=UTC)
