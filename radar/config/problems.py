"""What a configuration check reports: one ``ConfigProblem`` per mistake, all in one ``ConfigError``.

A problem prints as ``file:line: key.path[0].sub: message`` so an analyst can jump to
the line in any editor; the stable code (``SR-E1xx``) travels beside it for searching.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from radar.errors import Code, RadarError


def display_path(path: Path) -> str:
    """The path as people typed it: relative to the working directory when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):  # elsewhere, or the working directory is gone
        return str(path)


@dataclass(frozen=True)
class ConfigProblem:
    """One mistake in one configuration file.

    ``line`` is 1-based and ``None`` only when the file itself cannot be found;
    ``key_path`` is empty for problems of the whole file (YAML syntax, empty file).
    """

    file: Path
    line: int | None
    key_path: str
    message: str
    code: Code

    def __str__(self) -> str:
        where = display_path(self.file)
        if self.line is not None:
            where = f"{where}:{self.line}"
        if self.key_path:
            return f"{where}: {self.key_path}: {self.message}"
        return f"{where}: {self.message}"

    def sort_key(self) -> tuple[str, int, str]:
        return (str(self.file), self.line or 0, self.key_path)


def sorted_problems(problems: Iterable[ConfigProblem]) -> list[ConfigProblem]:
    """Problems in file order, then line order; exact repeats (a file checked twice) dropped."""
    return sorted(set(problems), key=ConfigProblem.sort_key)


class ConfigError(RadarError):
    """The configuration is invalid; ``problems`` lists every mistake found in every file."""

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems = sorted_problems(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(Code.CONFIG_INVALID, f"the configuration has {count} {noun}:\n{lines}")
