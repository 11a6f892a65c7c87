"""``keywords accept``: a term written into a keyword file in place, comments and layout kept; a term
that would be an error is refused and the file left as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from radar.errors import Code, RadarError
from workbench.accept import accept_term
from workbench.keyword_sets import SHIPPED_KEYWORDS, load_files

FILE = """# Boats and their slang. Keep this comment.
name: transport
transport:
  - value: boat
    terms:
      # the words every language uses
      any: [boat, "dinghy",
            zodiac]  # line two of a long list
      ar:
        - قارب
  - value: truck
    terms: {any: [truck]}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    keywords = tmp_path / "keywords"
    shutil.copytree(SHIPPED_KEYWORDS, keywords)
    (keywords / "transport.yaml").write_text(FILE, encoding="utf-8")
    return keywords


def test_appends_to_a_multi_line_flow_list_in_place(folder: Path) -> None:
    accepted = accept_term(folder / "transport.yaml", "barcone", "transport.boat", "any")
    text = (folder / "transport.yaml").read_text(encoding="utf-8")
    assert text == FILE.replace("zodiac]  # line", 'zodiac, "barcone"]  # line')
    assert accepted.in_place and accepted.line == 8 and accepted.key_path == "transport[0].terms.any[3]"


def test_appends_to_a_block_list_and_adds_a_new_language(folder: Path) -> None:
    accept_term(folder / "transport.yaml", "بلمون", "transport.boat", "ar")
    accept_term(folder / "transport.yaml", "bootje", "transport.boat", "nl")
    text = (folder / "transport.yaml").read_text(encoding="utf-8")
    assert '        - قارب\n        - "بلمون"\n' in text
    assert '    terms:\n      nl: ["bootje"]\n      # the words every language uses\n' in text
    assert "# Boats and their slang. Keep this comment." in text
    [boat] = [group for group in load_files(folder)[-1].transport if group.value == "boat"]
    assert boat.terms["nl"] == ["bootje"] and boat.terms["ar"] == ["قارب", "بلمون"]


def test_a_flow_mapping_is_written_by_ruamel_round_trip(folder: Path) -> None:
    accepted = accept_term(folder / "transport.yaml", "lorry", "transport.truck", "any")
    assert not accepted.in_place
    text = (folder / "transport.yaml").read_text(encoding="utf-8")
    assert "# Boats and their slang. Keep this comment." in text and "lorry" in text


def test_a_term_that_would_be_an_error_is_refused_and_the_file_kept(folder: Path) -> None:
    with pytest.raises(RadarError) as refused:
        accept_term(folder / "transport.yaml", "b o a t z", "transport.boat", "any")
    assert refused.value.code == Code.KEYWORD_ACCEPT_FAILED
    assert "can never match" in refused.value.message
    assert (folder / "transport.yaml").read_text(encoding="utf-8") == FILE


@pytest.mark.parametrize(
    ("concern", "message"),
    [
        ("transport.bike", "no transport named 'bike' in this file (there are: boat, truck)"),
        ("vehicles.boat", "unknown concern 'vehicles.boat'"),
        ("documents.passport", "this file has no documents"),
    ],
)
def test_unknown_places_are_named(folder: Path, concern: str, message: str) -> None:
    with pytest.raises(RadarError, match=message.replace("(", r"\(").replace(")", r"\)")):
        accept_term(folder / "transport.yaml", "x", concern)
    assert (folder / "transport.yaml").read_text(encoding="utf-8") == FILE
