"""The version of a keyword configuration: a content hash every enriched advert records.

``keywords_version(files)`` hashes the validated keyword files (their content as the pipeline
reads it, in merge order), so an edit that changes what the pipeline does gives a new version
and a comment or layout edit does not. The crawler's enrichment, ``smokkelradar reenrich`` and
``smokkelradar status`` all name a configuration by this value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from radar.config.keywords import KeywordFile

VERSION_LENGTH = 12


def keywords_version(files: Iterable[KeywordFile]) -> str:
    """A short hex digest of the keyword files, in the order given (the order they are merged in)."""
    digest = hashlib.sha256()
    for keyword_file in files:
        content = keyword_file.model_dump(mode="json")
        digest.update(json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode())
        digest.update(b"\n")
    return digest.hexdigest()[:VERSION_LENGTH]
