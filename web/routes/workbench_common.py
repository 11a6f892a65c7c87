"""What the analysts' workbench pages share: their audit actions, the live keywords folder, and a
draft keyword file laid over it.

The pages run the same ``workbench`` functions as ``smokkelradar keywords …`` (docs/workbench.md);
this module only turns form fields into their arguments. A draft is the text of one keyword file
as the analyst edited it in the browser; it is written into a temporary folder under the name of
the live file it replaces and laid over the live folder, exactly as the CLI lays
``~/draft/transport.yaml`` over ``config/keywords``. The live files are only ever written by
*accept*, and only a file the live folder lists (never a path from a form).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any, cast

from fastapi import Request

from radar.config.loader import yaml_files
from web.audit import Action
from web.deps import Principal
from web.state import WebState

MAX_DRAFT = 200_000  # characters: the largest shipped keyword file is about a tenth of this
MAX_TEXT = 20_000  # characters of a test text (adverts are cut at a similar length for enrichment)


class WorkbenchAction(StrEnum):
    """Audit actions of the workbench pages (stored as text beside the web app's own actions)."""

    WORKBENCH = "workbench"
    CHECK = "keywords_check"
    TEST = "keywords_test"
    DIFF = "keywords_diff"
    REENRICH = "reenrich"
    SUGGEST = "keywords_suggest"
    ACCEPT = "keywords_accept"
    LABEL = "label"


class NoConfigurationError(Exception):
    """The web app was started without a configuration, so there is no keywords folder to work on."""


def audit(
    state: WebState,
    who: Principal,
    action: WorkbenchAction,
    query: str = "",
    results: int | None = None,
    detail: str = "",
) -> None:
    """One audit entry. The log stores an action as its text; the workbench's actions are kept
    in their own enum so the web app's list stays what the web app does."""
    state.audit.record(
        user=who.name,
        role=who.user.role.value,
        action=cast(Action, action),
        query=query,
        results=results,
        detail=detail,
        client=who.client,
    )


def live_folder(state: WebState) -> Path:
    """The keywords folder of the running configuration (radar.yaml's ``paths.keywords``)."""
    config = state.settings.config
    if config is None:
        raise NoConfigurationError
    return config.radar.paths.keywords


def file_names(state: WebState) -> list[str]:
    """The keyword files of the live folder, by file name, in merge order."""
    return [path.name for path in yaml_files(live_folder(state))]


def live_file(state: WebState, name: str) -> Path | None:
    """The live keyword file called ``name``, or None when the folder has no such file."""
    folder = live_folder(state)
    return folder / name if name in file_names(state) else None


def read_live(state: WebState, name: str) -> str:
    path = live_file(state, name)
    return path.read_text(encoding="utf-8") if path is not None else ""


def draft_form(state: WebState, who: Principal, request: Request, page: str) -> dict[str, Any]:
    """The draft fields of a page's form: the live files to pick from and, with ``?file=``, that
    file's text to edit (a look at the configuration, so it is audited)."""
    name = request.query_params.get("file", "")
    files = file_names(state)
    chosen = name if name in files else ""
    audit(state, who, WorkbenchAction.WORKBENCH, f"{page} form", None, f"file={chosen}" if chosen else "")
    return {"files": files, "file": chosen, "draft": read_live(state, chosen)}


@contextmanager
def draft_overlay(state: WebState, name: str, text: str) -> Iterator[list[Path]]:
    """The draft as an overlay file list for ``workbench`` functions: [] without a draft.

    Raises ValueError for a file name the live folder does not have or a draft that is too long."""
    if not text.strip():
        yield []
        return
    if live_file(state, name) is None:
        raise ValueError(f"the keywords folder has no file {name!r}: pick one of the list")
    if len(text) > MAX_DRAFT:
        raise ValueError(f"the draft has {len(text):,} characters; at most {MAX_DRAFT:,} are read")
    with tempfile.TemporaryDirectory(prefix="smokkelradar-draft-") as folder:
        draft = Path(folder) / name
        # Browsers send form text with CRLF line ends; YAML reads either, the line numbers stay right.
        draft.write_text(text.replace("\r\n", "\n"), encoding="utf-8")
        yield [draft]


def shown_path(path: Path, state: WebState, drafts: list[Path]) -> str:
    """A finding's file as the analyst knows it: the live file's name, or ``draft of <name>``."""
    if any(path.resolve() == draft.resolve() for draft in drafts):
        return f"draft of {path.name}"
    try:
        return str(path.resolve().relative_to(live_folder(state).resolve()))
    except ValueError:
        return str(path)
