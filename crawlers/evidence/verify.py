"""Re-hash evidence files against their manifests and report every one that changed.

``verify(root)`` reads ``<root>/<source>/manifest.jsonl`` of every source and compares each
file's SHA-256 with the one recorded when it was captured. A file whose hash differs is
``changed``; one that is gone is ``missing``; a file in an evidence folder that no manifest
names is ``unrecorded`` (it was not written by the crawler). Only ``changed`` and ``missing``
make the evidence untrustworthy; unreadable manifest lines are reported too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from crawlers.evidence.store import MANIFEST, sha256_of


@dataclass(frozen=True)
class Finding:
    status: str  # changed | missing | unrecorded | bad_manifest_line
    path: str
    detail: str = ""


@dataclass
class VerifyReport:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.status in ("changed", "missing", "bad_manifest_line") for f in self.findings)

    def by_status(self, status: str) -> list[Finding]:
        return [f for f in self.findings if f.status == status]


def _manifest_lines(manifest: Path) -> Iterator[tuple[int, dict[str, object] | None, str]]:
    with manifest.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as error:
                yield number, None, str(error)
                continue
            if isinstance(entry, dict):
                yield number, entry, ""
            else:
                yield number, None, "not a JSON object"


def verify(root: Path, sources: list[str] | None = None) -> VerifyReport:
    report = VerifyReport()
    if not root.is_dir():
        return report
    folders = sorted(p for p in root.iterdir() if p.is_dir() and (sources is None or p.name in sources))
    for folder in folders:
        recorded: set[Path] = set()
        manifest = folder / MANIFEST
        if manifest.is_file():
            for number, entry, problem in _manifest_lines(manifest):
                where = f"{manifest.relative_to(root)}:{number}"
                if (
                    entry is None
                    or not isinstance(entry.get("path"), str)
                    or not isinstance(entry.get("sha256"), str)
                ):
                    report.findings.append(
                        Finding("bad_manifest_line", where, problem or "no path or sha256")
                    )
                    continue
                path = root / str(entry["path"])
                recorded.add(path)
                report.checked += 1
                if not path.is_file():
                    report.findings.append(Finding("missing", str(entry["path"]), f"recorded at {where}"))
                    continue
                actual = sha256_of(path)
                if actual != entry["sha256"]:
                    report.findings.append(
                        Finding(
                            "changed",
                            str(entry["path"]),
                            f"sha256 {actual}, recorded {entry['sha256']} at {where}",
                        )
                    )
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name != MANIFEST and path not in recorded:
                report.findings.append(Finding("unrecorded", path.relative_to(root).as_posix()))
    return report
