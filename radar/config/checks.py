"""Checks that span files: unique names, and references from one file to another.

They read the plain data rather than validated models, so a source with a typo elsewhere
in its entry is still checked for a duplicate name: every mistake is reported in one go.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radar.config.documents import Document
from radar.config.positions import Loc, format_key_path, line_of
from radar.config.problems import ConfigProblem, display_path
from radar.errors import Code


@dataclass(frozen=True)
class Entry:
    """One source or saved search as written: its name, its file and its place in the file."""

    name: str
    doc: Document
    loc: Loc  # of the entry itself; its name is at loc + ("name",)
    data: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{display_path(self.doc.path)}:{line_of(self.doc.tree, (*self.loc, 'name'))}"


def entries(docs: Iterable[Document], list_key: str) -> list[Entry]:
    """The named entries under ``list_key`` ('sources' or 'searches') of each file, in file order."""
    found = []
    for doc in docs:
        items = doc.data.get(list_key) if isinstance(doc.data, dict) else None
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                found.append(Entry(item["name"], doc, (list_key, index), item))
    return found


def _problem(entry: Entry, loc: Loc, message: str, code: Code) -> ConfigProblem:
    return ConfigProblem(entry.doc.path, line_of(entry.doc.tree, loc), format_key_path(loc), message, code)


def duplicate_names(found: Sequence[Entry], what: str) -> list[ConfigProblem]:
    """Every entry whose name an earlier entry (in this or another file) already uses."""
    first: dict[str, Entry] = {}
    problems = []
    for entry in found:
        if entry.name in first:
            message = f"duplicate {what} name '{entry.name}': also defined at {first[entry.name].where}"
            problems.append(_problem(entry, (*entry.loc, "name"), message, Code.CONFIG_DUPLICATE_NAME))
        else:
            first[entry.name] = entry
    return problems


def unknown_proxies(sources: Sequence[Entry], proxies: set[str]) -> list[ConfigProblem]:
    """Sources naming a proxy that radar.yaml does not define."""
    problems = []
    known = ", ".join(sorted(proxies)) or "none are defined"
    for entry in sources:
        name = entry.data.get("proxy")
        if isinstance(name, str) and name not in proxies:
            message = f"no proxy named '{name}' under proxies in radar.yaml ({known})"
            problems.append(_problem(entry, (*entry.loc, "proxy"), message, Code.CONFIG_UNKNOWN_REFERENCE))
    return problems


def unknown_sources(searches: Sequence[Entry], source_names: set[str]) -> list[ConfigProblem]:
    """Saved searches filtering on a source that no sources file defines."""
    problems = []
    for entry in searches:
        filters = entry.data.get("filters")
        wanted = filters.get("source") if isinstance(filters, dict) else None
        loc: Loc = (*entry.loc, "filters", "source")
        names = [(loc, wanted)] if isinstance(wanted, str) else []
        if isinstance(wanted, list):
            names = [((*loc, index), name) for index, name in enumerate(wanted) if isinstance(name, str)]
        for where, name in names:
            if name not in source_names:
                message = f"no source named '{name}' in the sources folder"
                problems.append(_problem(entry, where, message, Code.CONFIG_UNKNOWN_REFERENCE))
    return problems


def duplicate_stems(paths: Sequence[Path]) -> list[ConfigProblem]:
    """Keyword files are known by stem: ``routes.yaml`` and ``routes.yml`` would collide."""
    seen: dict[str, Path] = {}
    problems = []
    for path in paths:
        if path.stem in seen:
            message = f"duplicate keyword file name '{path.stem}': also {display_path(seen[path.stem])}"
            problems.append(ConfigProblem(path, 1, "", message, Code.CONFIG_DUPLICATE_NAME))
        else:
            seen[path.stem] = path
    return problems
