"""The analysts' workbench in the browser: the overview, ``keywords check`` and ``keywords test``.

Analysts and admins only (the ``config`` permission); every form is a POST with the session's
CSRF token, and every run is one audit entry. The work is ``workbench.checks.check_keywords`` and
``workbench.marks.Marker``, the functions behind the CLI commands of the same names.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from nlp.version import keywords_version
from radar.config.keywords import KeywordFile
from radar.config.problems import ConfigError
from web.deps import Analyst, CheckedForm, State
from web.routes.workbench_common import (
    MAX_TEXT,
    NoConfigurationError,
    WorkbenchAction,
    audit,
    draft_form,
    draft_overlay,
    file_names,
    live_folder,
    shown_path,
)
from web.templating import render
from workbench.checks import check_keywords
from workbench.keyword_sets import load_files
from workbench.render import check_summary

if TYPE_CHECKING:  # workbench.marks loads spaCy: only when an analyst tests a text
    from workbench.marks import Marker, TestResult

router = APIRouter()
KEPT_PIPELINES = 2
_MARKERS_LOCK = threading.Lock()


def no_configuration(request: Request) -> Response:
    message = "The web app runs without a configuration (radar.yaml), so there is no keywords folder."
    return render(request, "error.html", {"title": "No configuration", "message": message}, 409)


def refused(request: Request, title: str, message: str) -> Response:
    return render(request, "error.html", {"title": title, "message": message}, 400)


def _test(app_state: Any, files: list[KeywordFile], text: str) -> TestResult:
    """``Marker(build_pipeline(files), files).test(text)``, with the last two pipelines kept: building
    one takes seconds, and an analyst tests many texts against the same keywords. One test at a
    time: a spaCy pipeline is not meant to be called from several threads at once."""
    from nlp import build_pipeline
    from workbench.marks import Marker

    version = keywords_version(files)
    with _MARKERS_LOCK:
        markers: dict[str, Marker] = getattr(app_state, "workbench_markers", None) or {}
        marker = markers.pop(version, None) or Marker(build_pipeline(files), files)
        markers[version] = marker  # newest last
        while len(markers) > KEPT_PIPELINES:
            markers.pop(next(iter(markers)))
        app_state.workbench_markers = markers
        return marker.test(text)


@router.get("/workbench")
def overview(request: Request, state: State, who: Analyst) -> Response:
    try:
        folder, files = live_folder(state), file_names(state)
    except NoConfigurationError:
        return no_configuration(request)
    audit(state, who, WorkbenchAction.WORKBENCH, "overview")
    return render(request, "workbench/index.html", {"folder": str(folder), "files": files})


@router.get("/workbench/check")
def check_form(request: Request, state: State, who: Analyst) -> Response:
    try:
        context = draft_form(state, who, request, "check")
    except NoConfigurationError:
        return no_configuration(request)
    return render(request, "workbench/check.html", {**context, "report": None})


@router.post("/workbench/check")
def check(request: Request, state: State, who: Analyst, form: CheckedForm) -> Response:
    name, text = str(form.get("file") or ""), str(form.get("draft") or "")
    try:
        folder = live_folder(state)
        with draft_overlay(state, name, text) as drafts:
            report = check_keywords(drafts or [folder], keywords=folder if drafts else None)
            rows = [
                {
                    "file": shown_path(f.problem.file, state, drafts), "line": f.problem.line,
                    "key_path": f.problem.key_path, "message": f.problem.message,
                    "code": f.problem.code.value, "severity": f.severity,
                }
                for f in report.findings
            ]  # fmt: skip
        files = file_names(state)
    except NoConfigurationError:
        return no_configuration(request)
    except ValueError as error:
        return refused(request, "Not checked", str(error))
    what = f"draft of {name}" if text.strip() else "keywords folder"
    summary = check_summary(report)
    audit(state, who, WorkbenchAction.CHECK, what, len(rows), summary)
    context = {"files": files, "file": name, "draft": text, "what": what}
    return render(request, "workbench/check.html", {**context, "report": rows, "summary": summary})


@router.get("/workbench/test")
def test_form(request: Request, state: State, who: Analyst) -> Response:
    try:
        context = draft_form(state, who, request, "test")
    except NoConfigurationError:
        return no_configuration(request)
    return render(request, "workbench/test.html", {**context, "text": "", "result": None})


@router.post("/workbench/test")
def test(request: Request, state: State, who: Analyst, form: CheckedForm) -> Response:
    name, draft = str(form.get("file") or ""), str(form.get("draft") or "")
    text = str(form.get("text") or "")
    if not text.strip():
        return refused(request, "Nothing to test", "Paste the text of an advert into the box.")
    if len(text) > MAX_TEXT:
        return refused(request, "Text too long", f"At most {MAX_TEXT:,} characters are tested at once.")
    try:
        folder = live_folder(state)
        with draft_overlay(state, name, draft) as drafts:
            files = load_files(folder, drafts)
        names = file_names(state)
    except NoConfigurationError:
        return no_configuration(request)
    except ValueError as error:
        return refused(request, "Not tested", str(error))
    except ConfigError as error:
        problems = [str(problem) for problem in error.problems]
        return refused(request, "The keywords are not valid", "; ".join(problems[:20]))
    from workbench.marks import pieces

    result = _test(request.app.state, files, text)
    record = result.record
    because = {rule: why for rule, _, why in result.features}
    terms: dict[str, list[str]] = {}
    for mark in result.marks:
        if mark.kind == "rule":
            terms.setdefault(mark.label.split(" (")[0], []).append(mark.text)
    rules = [
        (r["rule"], r["weight"], because.get(r["rule"]) or ", ".join(terms.get(r["rule"], [])) or "-")
        for r in record["rules"]
    ]
    what = f"draft of {name}" if draft.strip() else "keywords folder"
    audit(state, who, WorkbenchAction.TEST, text[:500], len(result.marks), f"{what}; score {record['score']}")
    context = {
        "files": names, "file": name, "draft": draft, "text": text, "result": result,
        "pieces": pieces(result.text, result.marks), "rules": rules, "record": record,
    }  # fmt: skip
    return render(request, "workbench/test.html", context)
