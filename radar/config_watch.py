"""Noticing configuration edits: a fingerprint of every file the configuration is read from.

The scheduler checks the fingerprint every few seconds; when it changes it reloads with
``load_config_problems``, so an invalid edit is reported (and the old jobs keep running)
instead of stopping anything.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from radar.config.loaded import Config

_SUFFIXES = (".yaml", ".yml")


def watched_files(radar_yaml: Path, config: Config | None) -> list[Path]:
    """radar.yaml and the YAML files directly in the folders it names (the loader reads no sub-folders).

    Without a valid configuration, the default folder names beside radar.yaml are watched.
    """
    root = radar_yaml.parent
    if config is not None:
        paths = config.radar.paths
        folders = [paths.sources, paths.keywords, paths.alerts]
    else:
        folders = [root / "sources", root / "keywords", root / "alerts"]
    files = [radar_yaml]
    for folder in folders:
        if folder.is_dir():
            files += sorted(p for p in folder.iterdir() if p.suffix in _SUFFIXES and p.is_file())
    return files


def fingerprint(files: list[Path]) -> str:
    """A hash over the names and contents of ``files`` (a missing file counts as a change)."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path).encode())
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()


class ConfigWatch:
    """Remembers the fingerprint of the configuration in force."""

    def __init__(self, radar_yaml: Path, config: Config) -> None:
        self.radar_yaml = radar_yaml
        self._config = config
        self.current = fingerprint(watched_files(radar_yaml, config))

    def changed(self) -> str | None:
        """The new fingerprint when files changed since the last accepted or reported state, else None."""
        # Watch both the folders of the configuration in force and those an edited radar.yaml may name.
        files = watched_files(self.radar_yaml, self._config)
        new = fingerprint(files)
        return None if new == self.current else new

    def accept(self, config: Config | None, new: str) -> None:
        """Record ``new`` as seen (with the configuration now in force, if it changed)."""
        if config is not None:
            self._config = config
            # The new configuration may name other folders: fingerprint what it reads.
            new = fingerprint(watched_files(self.radar_yaml, config))
        self.current = new
