"""The workbench's templates hold no inline script, no inline style and no event handler attribute:
the app's Content-Security-Policy (``script-src 'self'; style-src 'self'``) would block them, and
a page that needs none cannot be turned into one that runs an injected one.

The same rules as tests/unit/web/test_web_auth.py applies to web/templates/*.html; that test
looks at the top folder only, and its checks are not a function this module could import.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import web

FOLDER = Path(web.__file__).with_name("templates") / "workbench"
TEMPLATES = sorted(FOLDER.glob("**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def problems(text: str) -> list[str]:
    """What the rules find in one template's text."""
    found = []
    if re.search(r"<style", text, re.IGNORECASE) or re.search(r"\sstyle\s*=", text, re.IGNORECASE):
        found.append("inline style")
    if INLINE_SCRIPT.search(text):
        found.append("inline script")
    if EVENT_HANDLER.search(text):
        found.append("event handler attribute")
    return found


def test_the_workbench_has_templates_to_check() -> None:
    assert {path.name for path in TEMPLATES} >= {"index.html", "diff.html", "diff_job.html", "test.html"}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(FOLDER)))
def test_no_inline_script_style_or_event_handler(template: Path) -> None:
    assert problems(template.read_text(encoding="utf-8")) == []


def test_the_rules_find_what_they_are_for() -> None:
    assert problems('<p style="color: red">x</p>') == ["inline style"]
    assert problems("<style>p {}</style>") == ["inline style"]
    assert problems("<script>alert(1)</script>") == ["inline script"]
    assert problems('<img src=x onerror="alert(1)">') == ["event handler attribute"]
    assert problems('<script src="/static/app.js"></script><meta http-equiv="refresh" content="2">') == []
