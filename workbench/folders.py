"""Which keywords folder a workbench command works on.

``--keywords DIR`` wins; else the folder a radar.yaml names under ``paths.keywords`` (read
leniently: trying a keyword change must not need the mail password or the demo web's address);
else the shipped ``config/keywords``.
"""

from __future__ import annotations

import os
from pathlib import Path

from radar.config.documents import read_document
from workbench.keyword_sets import SHIPPED_KEYWORDS


def keywords_folder_of(radar_yaml: Path) -> Path:
    """The keywords folder a radar.yaml names (default ``keywords`` beside it)."""
    doc = read_document(radar_yaml.absolute())
    data = doc.data if isinstance(doc.data, dict) else {}
    paths = data.get("paths") if isinstance(data.get("paths"), dict) else {}
    value = paths.get("keywords", "keywords") if isinstance(paths, dict) else "keywords"
    return Path(os.path.normpath(radar_yaml.absolute().parent / Path(str(value)).expanduser()))


def resolve_keywords(keywords: Path | None, config: Path | None) -> Path:
    if keywords is not None:
        return keywords
    if config is not None:
        return keywords_folder_of(config)
    return SHIPPED_KEYWORDS
