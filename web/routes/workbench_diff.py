"""``keywords diff`` in the browser: a draft (or the working copy) back-tested against the live keywords.

The form names the proposal — the live folder with a draft file laid over it — and the baseline:
the live keywords as they are on disk, or the folder as it was in git ``HEAD`` (then the
proposal is the working copy, as ``smokkelradar keywords diff --against HEAD``). The back-test is
``workbench.diff.run_diff`` in a thread of the worker that took the form (``workbench_jobs``); the
report is stored as its JSON (``DiffReport.as_dict``) in the job store shared by all workers, and
read back into a ``DiffReport`` by whichever worker shows the job's page. The page shows the step
it is at, then the report: per field the adverts gaining and losing items, the adverts crossing an
alert threshold, the saved searches whose matches change, and the evaluation set's figures.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from indexer.document import doc_id
from radar.config.problems import ConfigError
from radar.errors import RadarError
from web.deps import Analyst, CheckedForm, State
from web.routes.workbench import no_configuration, refused
from web.routes.workbench_common import (
    NoConfigurationError,
    WorkbenchAction,
    audit,
    draft_form,
    draft_overlay,
    live_folder,
)
from web.routes.workbench_jobs import BusyError, jobs_of
from web.templating import render
from workbench.compare import Example, FieldChange, SearchChange, ThresholdChange, counts
from workbench.diff import DiffOptions, DiffReport, run_diff
from workbench.eval_delta import Delta, EvalComparison
from workbench.keyword_sets import load_files, revision_folder
from workbench.sample import since_moment

router = APIRouter()
MAX_SAMPLE = 10_000  # the size the benchmark holds to under a minute
REVISION = re.compile(r"HEAD(~\d{1,3})?")  # never a free text: it goes to `git archive`
SOURCE = re.compile(r"[\w.:-]{1,80}")


def _int(value: object, default: int, low: int, high: int) -> int:
    text = str(value or "").strip().replace(",", "")
    number = int(text) if text.isdigit() else default
    return max(low, min(high, number))


@router.get("/workbench/diff")
def diff_form(request: Request, state: State, who: Analyst) -> Response:
    try:
        context = draft_form(state, who, request, "diff")
    except NoConfigurationError:
        return no_configuration(request)
    return render(request, "workbench/diff.html", context)


@router.post("/workbench/diff")
def start_diff(request: Request, state: State, who: Analyst, form: CheckedForm) -> Response:
    name, draft = str(form.get("file") or ""), str(form.get("draft") or "")
    against = str(form.get("against") or "live").strip()
    sample = _int(form.get("sample"), 1000, 0, MAX_SAMPLE)
    since_text, source = str(form.get("since") or "").strip(), str(form.get("source") or "").strip()
    if against != "live" and not REVISION.fullmatch(against):
        return refused(request, "Not started", "Compare against the live keywords, HEAD or HEAD~N.")
    if source and not SOURCE.fullmatch(source):
        return refused(request, "Not started", f"{source!r} is not a source name.")
    if against == "live" and not draft.strip():
        return refused(request, "Nothing to compare", "Against the live keywords, a draft is needed.")
    try:
        since = since_moment(since_text) if since_text else None
        folder = live_folder(state)
        with ExitStack() as stack:
            drafts = stack.enter_context(draft_overlay(state, name, draft))
            baseline_folder = (
                folder if against == "live" else stack.enter_context(revision_folder(against, folder))
            )
            proposed, baseline = load_files(folder, drafts), load_files(Path(baseline_folder))
    except NoConfigurationError:
        return no_configuration(request)
    except (ValueError, RadarError) as error:
        return refused(request, "Not started", str(error))
    except ConfigError as error:
        return refused(request, "The keywords are not valid", "; ".join(str(p) for p in error.problems[:20]))
    options = DiffOptions(sample=sample, since=since, sources=(source,) if source else ())
    settings = state.settings
    proposal = f"draft of {name}" if draft.strip() else "working copy"
    what = f"{proposal} against {'the live keywords' if against == 'live' else against}, sample {sample:,}"

    def work(progress: Any) -> dict[str, Any]:
        return run_diff(
            baseline, proposed, against=against, client=state.client, alias=settings.alias,
            searches=dict(settings.saved_searches), options=options, progress=progress,
        ).as_dict()  # fmt: skip

    try:
        job = jobs_of(request.app.state).start(who.name, what, work)
    except BusyError as error:
        return render(request, "error.html", {"title": "Busy", "message": str(error)}, 409)
    audit(state, who, WorkbenchAction.DIFF, what, None, f"job {job.id}; since={since_text}; source={source}")
    return RedirectResponse(f"/workbench/diff/{job.id}", status_code=303)


def _examples(found: list[dict[str, Any]]) -> list[Example]:
    return [Example(e["advert_id"], e["source"], e["snippet"], e["detail"]) for e in found]


def report_from_dict(data: dict[str, Any]) -> DiffReport:
    """The report back from ``DiffReport.as_dict()`` (as the job store keeps it), equal to the one
    ``run_diff`` returned; ``failed`` and the list of worse figures follow from the rest."""
    evaluation = data["evaluation"]
    return DiffReport(
        against=data["against"],
        baseline_version=data["baseline_version"],
        proposed_version=data["proposed_version"],
        adverts=data["adverts"],
        fields=[
            FieldChange(
                f["field"], f["gained"], f["lost"], f["adverts_gaining"], f["adverts_losing"],
                _examples(f["examples"]),
            )
            for f in data["fields"]
        ],
        thresholds=[
            ThresholdChange(t["threshold"], t["rose"], t["fell"], _examples(t["examples"]))
            for t in data["thresholds"]
        ],
        searches=[
            SearchChange(
                s["search"], s["matched_before"], s["matched_after"], s["gained"], s["lost"],
                _examples(s["examples"]), s["error"],
            )
            for s in data["searches"]
        ],
        evaluation=None if evaluation is None else EvalComparison(
            evaluation["tolerance"],
            [Delta(d["figure"], d["before"], d["after"]) for d in evaluation["changed"]],
        ),
        seconds=data["seconds"],
    )  # fmt: skip


def report_context(report: DiffReport) -> dict[str, Any]:
    """The report as the page lists it: most frequent items first, examples linked to their advert."""
    fields = [
        {
            "name": change.name, "gaining": change.adverts_gaining, "losing": change.adverts_losing,
            "gained": counts(change.gained).most_common(10), "lost": counts(change.lost).most_common(10),
            "examples": change.examples,
        }
        for change in report.fields
    ]  # fmt: skip
    return {"report": report, "fields": fields, "doc_of": doc_id}


@router.get("/workbench/diff/{job_id}")
def diff_job(job_id: str, request: Request, state: State, who: Analyst) -> Response:
    job = jobs_of(request.app.state).get(job_id)
    if job is None or job.kind != "diff":
        message = "No such back-test: the link is wrong or it finished more than an hour ago. Start it again."
        return render(request, "error.html", {"title": "Back-test gone", "message": message}, 404)
    context: dict[str, Any] = {"job": job}
    if job.status == "done" and isinstance(job.result, dict):
        report = report_from_dict(job.result)
        context.update(report_context(report))
        audit(state, who, WorkbenchAction.DIFF, job.what, report.adverts, f"job {job.id}; report viewed")
    return render(request, "workbench/diff_job.html", context)
