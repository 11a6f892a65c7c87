"""Keyword sets: drafts laid over a folder, a folder as it was in a git revision, and the re-enriched
fields of a stored advert."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from nlp.version import keywords_version
from radar.errors import Code, RadarError
from workbench.enriched import enriched_fields, pipeline_text
from workbench.keyword_sets import SHIPPED_KEYWORDS, load_files, read_keyword_set, revision_folder


def _git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@test.invalid", *args], cwd=folder, check=True,
        capture_output=True,
    )  # fmt: skip


def test_a_draft_takes_the_place_of_the_file_of_its_name(tmp_path: Path) -> None:
    draft = tmp_path / "transport.yaml"
    draft.write_text("name: transport\ntransport:\n  - value: boat\n    terms: {any: [zzboat]}\n")
    keyword_set = read_keyword_set(SHIPPED_KEYWORDS, [draft])
    assert [doc.path for doc in keyword_set.documents if doc.path.name == "transport.yaml"] == [draft]
    assert len(keyword_set.documents) == len(list(SHIPPED_KEYWORDS.glob("*.yaml")))


def test_a_folder_as_it_was_in_a_git_revision(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(SHIPPED_KEYWORDS, repo / "config" / "keywords")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "keywords")
    committed = keywords_version(load_files(repo / "config" / "keywords"))
    transport = repo / "config" / "keywords" / "transport.yaml"
    transport.write_text(
        transport.read_text(encoding="utf-8").replace("boat, boats,", "boat, boats, zzboat,")
    )
    with revision_folder("HEAD", repo / "config" / "keywords") as head:
        assert keywords_version(load_files(head)) == committed
    assert keywords_version(load_files(repo / "config" / "keywords")) != committed
    with pytest.raises(RadarError) as missing:
        revision_folder("no-such-revision", repo / "config" / "keywords").__enter__()
    assert missing.value.code == Code.WORKBENCH_GIT_FAILED


def test_enriched_fields_clear_the_copies_of_a_language_no_longer_seen() -> None:
    stored = {"advert_id": "a", "source": "s", "title": None, "text": "boat", "languages": ["fa", "en"]}
    record = {
        "language": "en",
        "languages": ["en"],
        "transport": ["boat"],
        "score": 0.7,
        "keywords_version": "v2",
    }
    fields = enriched_fields(stored, record)
    assert fields["text_en"] == "boat" and fields["text_fa"] is None and fields["title_en"] is None
    assert fields["transport"] == ["boat"] and fields["keywords_version"] == "v2"
    assert pipeline_text("Title", "body text") == "Title\nbody text"
    assert pipeline_text("body", "the body text") == "the body text"
