"""The pieces behind the workbench's web pages that need no server: marks cut into nested pieces,
the places a term can be accepted into, and the re-enrichment run probe (the back-test jobs:
test_workbench_jobs.py)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from workbench.accept import concerns_of
from workbench.keyword_sets import SHIPPED_KEYWORDS
from workbench.marks import Mark, pieces
from workbench.reenrich.background import reenrich_arguments, running


def test_marks_become_nested_pieces_of_the_text() -> None:
    text = "boat from Zuwara now"
    rule = Mark(0, 16, "rule", "offer (+1)", text[0:16])
    boat = Mark(0, 4, "transport", "boat", "boat")
    place = Mark(10, 16, "place", "LY (origin)", "Zuwara")
    cut = pieces(text, [boat, place, rule])
    assert [(piece, [m.kind for m in marks]) for piece, marks in cut] == [
        ("boat", ["rule", "transport"]),  # outermost first
        (" from ", ["rule"]),
        ("Zuwara", ["rule", "place"]),
        (" now", []),
    ]
    assert "".join(piece for piece, _ in cut) == text


def test_the_places_to_accept_a_term_are_the_concerns_a_file_holds() -> None:
    transport = concerns_of(SHIPPED_KEYWORDS / "transport.yaml")
    assert transport[:2] == ["transport.boat", "transport.truck"]
    assert "relevance.offer_cues" in concerns_of(SHIPPED_KEYWORDS / "relevance.yaml")
    assert concerns_of(SHIPPED_KEYWORDS / "places.yaml") == []


def test_a_run_is_seen_running_only_while_it_holds_the_lock(tmp_path: Path) -> None:
    assert not running(tmp_path, "reenrich.lock")  # no lock file yet
    lock = tmp_path / "reenrich.lock"
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a run holds it
        assert running(tmp_path, "reenrich.lock")
        fcntl.flock(descriptor, fcntl.LOCK_UN)  # as a run that ended (or died) leaves it
        assert not running(tmp_path, "reenrich.lock")
    finally:
        os.close(descriptor)


def test_the_background_run_is_the_command_with_its_window(tmp_path: Path) -> None:
    radar = tmp_path / "radar.yaml"
    assert reenrich_arguments(radar) == ["reenrich", "--config", str(radar)]
    assert reenrich_arguments(radar, since="30d", sources=["chat", "demo-forum"]) == [
        "reenrich", "--config", str(radar), "--since", "30d", "--source", "chat", "--source", "demo-forum",
    ]  # fmt: skip
