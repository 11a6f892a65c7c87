"""Load and check the configuration: radar.yaml and the sources, keywords and alerts folders it names.

``load_config(path)`` returns a frozen ``Config`` or raises one ``ConfigError`` listing every
problem of every file, each as ``file:line: key.path: message``. ``check_paths(paths)`` is
the same check for files or folders named on the command line.

Each file is read once (``documents``), validated with the model of its kind, and every
pydantic error is placed on its line (``positions``) and worded for people (``messages``);
cross-file rules (``checks``) run on what was read even when a file has other mistakes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import BaseModel, ValidationError

from radar.config import checks
from radar.config.alerts import AlertFile, SavedSearch
from radar.config.documents import Document, read_document
from radar.config.keywords import KeywordFile
from radar.config.loaded import Config, Origin
from radar.config.messages import describe
from radar.config.positions import line_of, locate
from radar.config.problems import ConfigError, ConfigProblem, sorted_problems
from radar.config.radar import RadarConfig
from radar.config.sources import Source, SourceFile
from radar.errors import Code

FileKind = Literal["radar", "sources", "keywords", "alerts"]
MODELS: dict[FileKind, type[BaseModel]] = {
    "radar": RadarConfig,
    "sources": SourceFile,
    "keywords": KeywordFile,
    "alerts": AlertFile,
}
FOLDER_KINDS: tuple[FileKind, ...] = ("sources", "keywords", "alerts")
CONFIG_ENV = "SMOKKELRADAR_CONFIG"


def default_config_path() -> Path:
    """``$SMOKKELRADAR_CONFIG``, else ``config/radar.yaml`` below the working directory."""
    return Path(os.environ.get(CONFIG_ENV) or "config/radar.yaml")


def yaml_files(folder: Path) -> list[Path]:
    """The ``*.yaml`` and ``*.yml`` files directly in ``folder`` (not in sub-folders), sorted by name."""
    files = [p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith(".")]
    return sorted(p for p in files if p.is_file())


def validate(doc: Document, kind: FileKind) -> Any:
    """The validated model of one file, or None; problems are added to ``doc.problems``."""
    if not doc.readable:
        return None
    data = doc.data
    if data is None:  # only comments: defines nothing, which is fine except for radar.yaml
        if kind == "radar":
            doc.problems.append(ConfigProblem(doc.path, 1, "", "the file is empty", Code.CONFIG_INVALID))
            return None
        data = {}
    if isinstance(data, list) and kind in ("sources", "alerts"):
        key = "sources" if kind == "sources" else "searches"
        message = f"expected a mapping with the list under '{key}:', got a list"
        doc.problems.append(ConfigProblem(doc.path, 1, "", message, Code.CONFIG_WRONG_TYPE))
        return None
    model = MODELS[kind]
    try:
        return model.model_validate(data, context={"base_dir": doc.path.parent, "check_files": True})
    except ValidationError as error:
        for details in error.errors(include_url=False):
            loc = details["loc"]
            if details["type"] in ("union_tag_invalid", "union_tag_not_found"):
                # Point at the ``kind`` key itself, not at the whole entry.
                loc = (*loc, str((details.get("ctx") or {}).get("discriminator", "kind")).strip("'"))
            position = locate(doc.tree, model, loc)
            if doc.already_reported(position.data_path):
                continue
            message, code = describe(details, position)
            doc.problems.append(ConfigProblem(doc.path, position.line, position.key_path, message, code))
        return None


def _absolute(path: Path) -> Path:
    return Path(os.path.normpath(path.expanduser().absolute()))


def _mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one (its type error is reported by validation)."""
    return value if isinstance(value, dict) else {}


def _folders(radar_doc: Document) -> dict[FileKind, Path]:
    """The folders radar.yaml names, read from its plain data so they load even if radar.yaml has mistakes."""
    paths = _mapping(_mapping(radar_doc.data).get("paths"))
    folders: dict[FileKind, Path] = {}
    for kind in FOLDER_KINDS:
        value = paths.get(kind, kind)
        if isinstance(value, str):
            folders[kind] = Path(os.path.normpath(radar_doc.path.parent / Path(value).expanduser()))
    return folders


def load_config_problems(radar_yaml: Path) -> tuple[Config | None, list[ConfigProblem]]:
    """Load everything; return the Config (None when anything is wrong) and every problem found."""
    radar_doc = read_document(_absolute(radar_yaml))
    radar = validate(radar_doc, "radar")
    docs: dict[FileKind, list[Document]] = {kind: [] for kind in FOLDER_KINDS}
    for kind, folder in _folders(radar_doc).items():
        if folder.is_dir():  # a missing folder is reported by radar.yaml's validation, at its line
            docs[kind] = [read_document(path) for path in yaml_files(folder)]
    models = {kind: [validate(doc, kind) for doc in docs[kind]] for kind in FOLDER_KINDS}

    problems = [
        *radar_doc.problems,
        *(p for kind in FOLDER_KINDS for doc in docs[kind] for p in doc.problems),
    ]
    problems += _cross_file(docs, radar_doc)
    if problems or radar is None:
        return None, sorted_problems(problems)
    return _assemble(radar_doc.path, radar, docs, models), []


def _cross_file(docs: dict[FileKind, list[Document]], radar_doc: Document | None) -> list[ConfigProblem]:
    sources = checks.entries(docs["sources"], "sources")
    searches = checks.entries(docs["alerts"], "searches")
    problems = checks.duplicate_names(sources, "source")
    problems += checks.duplicate_names(searches, "saved search")
    problems += checks.duplicate_stems([doc.path for doc in docs["keywords"]])
    if radar_doc is not None and radar_doc.readable:
        proxies = _mapping(_mapping(radar_doc.data).get("proxies"))
        problems += checks.unknown_proxies(sources, set(proxies))
        # Only when every sources file could be read; otherwise unknown names would be guesses.
        if all(doc.readable for doc in docs["sources"]):
            problems += checks.unknown_sources(searches, {entry.name for entry in sources})
    return problems


def _assemble(
    radar_file: Path,
    radar: RadarConfig,
    docs: dict[FileKind, list[Document]],
    models: dict[FileKind, list[Any]],
) -> Config:
    sources: dict[str, Source] = {}
    source_origins: dict[str, Origin] = {}
    for doc, source_file in zip(docs["sources"], models["sources"], strict=True):
        for index, source in enumerate(source_file.sources):
            sources[source.name] = source
            source_origins[source.name] = Origin(doc.path, line_of(doc.tree, ("sources", index, "name")))
    alerts: dict[str, SavedSearch] = {}
    alert_origins: dict[str, Origin] = {}
    for doc, alert_file in zip(docs["alerts"], models["alerts"], strict=True):
        for index, search in enumerate(alert_file.searches):
            alerts[search.name] = search
            alert_origins[search.name] = Origin(doc.path, line_of(doc.tree, ("searches", index, "name")))
    keywords = {doc.path.stem: model for doc, model in zip(docs["keywords"], models["keywords"], strict=True)}
    return Config(
        root=radar_file.parent,
        radar_file=radar_file,
        radar=radar,
        sources=sources,
        keywords=keywords,
        alerts=alerts,
        source_origins=source_origins,
        alert_origins=alert_origins,
        keyword_files={doc.path.stem: doc.path for doc in docs["keywords"]},
    )


def load_config(radar_yaml: Path | None = None) -> Config:
    """Load ``radar_yaml`` (default: ``default_config_path()``) and everything it names.

    Raises ``ConfigError`` with every problem of every file.
    """
    config, problems = load_config_problems(radar_yaml or default_config_path())
    if config is None:
        raise ConfigError(problems)
    return config


def load_radar_file(radar_yaml: Path) -> RadarConfig:
    """Only ``radar_yaml`` itself, for commands that need no sources, keywords or saved searches.

    ``services down`` must work in a shell where the sources' placeholders (``${DEMO_WEB}``) are unset.
    Raises ``ConfigError`` with the file's problems.
    """
    doc = read_document(_absolute(radar_yaml))
    radar = validate(doc, "radar")
    if radar is None or doc.problems:
        raise ConfigError(sorted_problems(doc.problems))
    return cast(RadarConfig, radar)


def detect_kind(path: Path, doc: Document) -> FileKind | None:
    """What a file configures: from its folder's name, its own name, or its top-level keys."""
    for kind in FOLDER_KINDS:
        if path.parent.name == kind:
            return kind
    if path.name in ("radar.yaml", "radar.yml"):
        return "radar"
    by_key: dict[str, FileKind] = {"sources": "sources", "searches": "alerts", "elasticsearch": "radar"}
    return next((kind for key, kind in by_key.items() if key in _mapping(doc.data)), None)


def check_paths(paths: Sequence[Path]) -> list[ConfigProblem]:
    """Check files and folders: a radar.yaml (or a folder holding one) with everything it names,
    or single sources/keywords/alerts files (folders of them) on their own."""
    problems: list[ConfigProblem] = []
    singles: dict[FileKind, list[Document]] = {kind: [] for kind in FOLDER_KINDS}
    seen: set[Path] = set()
    for given in paths:
        path = _absolute(given)
        if not path.exists():
            problems.append(
                ConfigProblem(path, None, "", "file or folder not found", Code.CONFIG_MISSING_FILE)
            )
            continue
        files = _files_in(path) if path.is_dir() else [path]
        for file in files:
            if file in seen:
                continue
            seen.add(file)
            doc = read_document(file)
            kind = detect_kind(file, doc)
            if kind == "radar":
                problems += load_config_problems(file)[1]
            elif kind is None and doc.readable:
                problems.append(ConfigProblem(file, 1, "", _UNKNOWN_KIND, Code.CONFIG_INVALID))
            elif kind is None:
                problems += doc.problems
            else:
                validate(doc, kind)
                singles[kind].append(doc)
                problems += doc.problems
    # Names only collide within one folder: files from different configurations are compared apart.
    for folder in sorted({doc.path.parent for docs in singles.values() for doc in docs}):
        in_folder = {
            kind: [doc for doc in docs if doc.path.parent == folder] for kind, docs in singles.items()
        }
        problems += _cross_file(in_folder, None)
    return sorted_problems(problems)


def _files_in(folder: Path) -> list[Path]:
    """A folder's configuration: its radar.yaml if it has one; a sources/keywords/alerts folder's
    own files (as the loader reads them); else every YAML file below it."""
    radar = next((folder / n for n in ("radar.yaml", "radar.yml") if (folder / n).is_file()), None)
    if radar is not None:
        return [radar]
    if folder.name in FOLDER_KINDS:
        return yaml_files(folder)
    found = [p for pattern in ("*.yaml", "*.yml") for p in folder.rglob(pattern) if p.is_file()]
    return sorted(p for p in found if not any(part.startswith(".") for part in p.relative_to(folder).parts))


_UNKNOWN_KIND = (
    "cannot tell what this file configures: put it in a sources/, keywords/ or alerts/ folder, "
    "or name it radar.yaml"
)
