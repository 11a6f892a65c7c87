"""What ``smokkelradar keywords check`` reports: a configuration problem with a severity.

Problems print exactly like ``smokkelradar config check`` does (``file:line: key.path: message``,
from ``radar.config.problems``), then the code; warnings say so. Errors fail the check; warnings
(a duplicate or a term another term already covers) fail it only with ``--strict``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from radar.config.positions import Loc, format_key_path, line_of
from radar.config.problems import ConfigProblem
from radar.errors import Code

Severity = Literal["error", "warning"]
_PARTS = re.compile(r"([^\[\]]*)(?:\[(\d+)\])?")


@dataclass(frozen=True)
class Finding:
    problem: ConfigProblem
    severity: Severity = "error"

    def __str__(self) -> str:
        tag = self.problem.code.value + (" warning" if self.severity == "warning" else "")
        return f"{self.problem}  [{tag}]"

    @property
    def message(self) -> str:
        return self.problem.message

    def sort_key(self) -> tuple[str, int, tuple[tuple[str, int], ...], str]:
        problem = self.problem
        # any[9] before any[10]: positions compared as numbers
        parts = tuple((text, int(number or -1)) for text, number in _PARTS.findall(problem.key_path))
        return (str(problem.file), problem.line or 0, parts, problem.message)


def finding(
    path: Path, tree: object, loc: Loc, message: str, code: Code, severity: Severity = "error"
) -> Finding:
    """A finding at the line of ``loc`` in the file whose round-trip YAML tree is ``tree``."""
    return Finding(ConfigProblem(path, line_of(tree, loc), format_key_path(loc), message, code), severity)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """File order, then line order; exact repeats dropped."""
    return sorted(set(findings), key=Finding.sort_key)
