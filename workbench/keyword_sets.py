"""A keyword configuration as the workbench reads it: a folder of files, optionally with drafts laid over it.

The pipeline merges every ``*.yaml`` of a keywords folder, so a single file only means something
beside its siblings. ``read_keyword_set(folder, overlays)`` reads the folder through the
configuration loader (every file validated, every problem at file:line) with each overlay file
taking the place of the folder's file of the same name: an analyst can try
``~/draft/transport.yaml`` against the live ``config/keywords`` without copying the folder.

``revision_folder(rev, folder)`` materializes a keywords folder as it was in a git revision
(``HEAD``), for ``keywords diff --against HEAD``.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from radar.config import checks
from radar.config.documents import Document, read_document
from radar.config.keywords import KeywordFile
from radar.config.loader import validate, yaml_files
from radar.config.problems import ConfigError, ConfigProblem, sorted_problems
from radar.errors import Code, RadarError

# The shipped vocabulary, relative to the repository root.
SHIPPED_KEYWORDS = Path(__file__).resolve().parent.parent / "config" / "keywords"


@dataclass
class KeywordSet:
    """The files of one keyword configuration in merge order (by file name), read and validated."""

    folder: Path
    documents: list[Document] = field(default_factory=list)
    models: list[KeywordFile | None] = field(default_factory=list)
    cross_file: list[ConfigProblem] = field(default_factory=list)

    @property
    def problems(self) -> list[ConfigProblem]:
        """Every schema problem of every file (and files sharing a name)."""
        found = [problem for doc in self.documents for problem in doc.problems]
        return sorted_problems([*found, *self.cross_file])

    @property
    def valid(self) -> bool:
        return not self.problems

    def files(self) -> list[KeywordFile]:
        """The validated models, in merge order; raises ``ConfigError`` when a file is invalid."""
        if not self.valid:
            raise ConfigError(self.problems)
        return [model for model in self.models if model is not None]

    def pairs(self) -> list[tuple[Document, KeywordFile]]:
        """(document, model) of every file that validated: what the semantic checks walk."""
        return [(doc, model) for doc, model in zip(self.documents, self.models, strict=True) if model]


def read_keyword_set(folder: Path, overlays: Sequence[Path] = ()) -> KeywordSet:
    """Read ``folder``'s keyword files, each replaced by the overlay of the same file name."""
    by_name: dict[str, Path] = {}
    if folder.is_dir():
        by_name = {path.name: path for path in yaml_files(folder)}
    elif not overlays:
        problem = ConfigProblem(folder, None, "", "keyword folder not found", Code.CONFIG_MISSING_FILE)
        raise ConfigError([problem])
    for overlay in overlays:
        by_name[overlay.name] = overlay
    keyword_set = KeywordSet(folder)
    for name in sorted(by_name):
        doc = read_document(by_name[name].absolute())
        keyword_set.documents.append(doc)
        keyword_set.models.append(validate(doc, "keywords"))
    keyword_set.cross_file = checks.duplicate_stems([doc.path for doc in keyword_set.documents])
    return keyword_set


def load_files(folder: Path, overlays: Sequence[Path] = ()) -> list[KeywordFile]:
    """The validated keyword files of ``folder`` with ``overlays``; raises ``ConfigError``."""
    return read_keyword_set(folder, overlays).files()


def _git(args: Sequence[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RadarError(Code.WORKBENCH_GIT_FAILED, f"git {' '.join(args)} failed: {error}") from error
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RadarError(
            Code.WORKBENCH_GIT_FAILED,
            f"git {' '.join(args)} failed in {cwd}: {reason[-1] if reason else f'exit {done.returncode}'}",
        )
    return done.stdout


@contextmanager
def revision_folder(revision: str, folder: Path) -> Iterator[Path]:
    """``folder`` as it was in git ``revision``, extracted into a temporary folder for the block."""
    folder = folder.resolve()
    top = Path(_git(["rev-parse", "--show-toplevel"], folder if folder.is_dir() else folder.parent).decode())
    top = Path(top.as_posix().strip())
    relative = folder.relative_to(top).as_posix()
    archive = _git(["archive", "--format=tar", revision, "--", relative], top)
    with tempfile.TemporaryDirectory(prefix="smokkelradar-keywords-") as temporary:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            # The "data" filter refuses absolute paths, links out of the folder and device files.
            tar.extractall(temporary, filter="data")
        extracted = Path(temporary) / relative
        if not extracted.is_dir():
            raise RadarError(Code.WORKBENCH_GIT_FAILED, f"{relative} does not exist in revision {revision}")
        yield extracted
