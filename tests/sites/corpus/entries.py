"""Read the raw entries of one corpus file, each with its line; shared by the demo web and the validator.

Both need the same thing first: a YAML list of mappings, each entry's line for error messages,
and ruamel's round-trip containers turned into plain Python values. What each then checks
differs (the demo web what it renders, the validator the labels in depth).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.error import YAMLError


class CorpusFileError(ValueError):
    """A corpus file that cannot be read as a list of entries; ``str()`` is ``file[:line]: message``."""


def read_entries(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """``(line, entry)`` for every entry of ``path``, the entry as plain dicts, lists and strings."""
    try:
        data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise CorpusFileError(f"{path}: file not found") from e
    except (YAMLError, UnicodeDecodeError) as e:
        raise CorpusFileError(f"{path}: not valid UTF-8 YAML: {e}") from e
    if not isinstance(data, CommentedSeq):
        raise CorpusFileError(f"{path}:1: the top level must be a list of entries")
    entries: list[tuple[int, dict[str, Any]]] = []
    for index, item in enumerate(data):
        line = int(data.lc.item(index)[0]) + 1
        if not isinstance(item, Mapping):
            raise CorpusFileError(f"{path}:{line}: entry {index} is not a mapping")
        entries.append((line, plain(item)))
    return entries


def plain(value: Any) -> Any:
    """ruamel's round-trip containers as plain dicts, lists and strings."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value
