"""The pieces behind the workbench's web pages that need no server: marks cut into nested pieces,
the places a term can be accepted into, the back-test job list, and the re-enrichment run probe."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import pytest

from web.routes.workbench_jobs import BusyError, Jobs
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


def test_one_back_test_at_a_time_and_a_failure_is_kept_for_its_page() -> None:
    jobs = Jobs()
    release = threading.Event()

    def slow(progress: object) -> str:
        assert callable(progress)
        progress("waiting for the test")
        release.wait(30)
        return "report"

    first = jobs.start("anna", "a back-test", slow)
    with pytest.raises(BusyError, match="anna is running a back-test"):
        jobs.start("bert", "another", slow)
    release.set()
    _join(first.id)
    done = jobs.get(first.id)
    assert done is not None and not done.running and done.result == "report" and done.step == "done"

    def broken(progress: object) -> None:
        raise ValueError("no adverts in the window")

    failed = jobs.start("bert", "another", broken)
    _join(failed.id)
    assert failed.step == "failed" and failed.error == "ValueError: no adverts in the window"
    assert jobs.get("unknown") is None


def _join(job_id: str) -> None:
    for thread in threading.enumerate():
        if thread.name == f"workbench-job-{job_id}":
            thread.join(30)


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
