"""``reenrich`` in the browser: start a re-tagging run in the background and watch it.

The run is ``smokkelradar reenrich`` itself, started detached (``workbench.reenrich.background``),
so it is the same run a terminal would start: one at a time (the run lock), resumable (the
checkpoint), logged to ``<data.state>/reenrich.log``. The page reads the checkpoint for progress
and reloads itself while a run holds the lock. A run that stopped (killed, Elasticsearch away)
is offered for resuming: starting the same window again continues at its cursor.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from nlp.version import keywords_version
from radar.config.problems import ConfigError
from radar.errors import RadarError
from web.deps import Analyst, CheckedForm, State
from web.routes.workbench import no_configuration, refused
from web.routes.workbench_common import NoConfigurationError, WorkbenchAction, audit, live_folder
from web.templating import render
from workbench.keyword_sets import load_files
from workbench.reenrich.background import reenrich_arguments, running, start_background
from workbench.reenrich.checkpoint import CHECKPOINT_FILE, Checkpoints, Run
from workbench.reenrich.run import RUN_LOCK_FILE, pending_query
from workbench.sample import since_moment

router = APIRouter()
SOURCE = re.compile(r"[\w.:-]{1,80}")


def _runs(state_dir: Path) -> list[Run]:
    if not (state_dir / CHECKPOINT_FILE).exists():
        return []
    checkpoints = Checkpoints(state_dir / CHECKPOINT_FILE)
    try:
        return checkpoints.recent(10)
    finally:
        checkpoints.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


@router.get("/workbench/reenrich")
def reenrich_page(request: Request, state: State, who: Analyst) -> Response:
    config = state.settings.config
    if config is None:
        return no_configuration(request)
    state_dir = config.radar.data.state
    busy = running(state_dir, RUN_LOCK_FILE)
    runs = _runs(state_dir)
    context: dict[str, Any] = {"runs": runs, "busy": busy, "version": "", "pending": None, "problem": ""}
    try:
        version = keywords_version(load_files(live_folder(state)))
        context["version"] = version
        query = pending_query(version, None, ())
        context["pending"] = int(state.client.count(index=state.settings.alias, query=query)["count"])
    except ConfigError as error:
        context["problem"] = "; ".join(str(p) for p in error.problems[:10])
    stopped = next((r for r in runs if r.state in ("running", "failed")), None) if not busy else None
    context["stopped"] = stopped
    started = request.query_params.get("started", "")[:20]
    context["started"] = started
    # The child loads the pipeline before it takes the run lock: until then it is only "alive".
    context["starting"] = not busy and started.isdigit() and _alive(int(started))
    audit(state, who, WorkbenchAction.REENRICH, "view", len(runs), "running" if busy else "")
    return render(request, "workbench/reenrich.html", context)


@router.post("/workbench/reenrich")
def start_reenrich(request: Request, state: State, who: Analyst, form: CheckedForm) -> Response:
    config = state.settings.config
    if config is None:
        return no_configuration(request)
    since_text = str(form.get("since") or "").strip()
    sources = [s.strip() for s in str(form.get("source") or "").split(",") if s.strip()]
    if any(not SOURCE.fullmatch(s) for s in sources):
        return refused(request, "Not started", "Sources are names like demo-forum, separated by commas.")
    try:
        since = since_moment(since_text) if since_text else None
        live_folder(state)
    except NoConfigurationError:
        return no_configuration(request)
    except RadarError as error:
        return refused(request, "Not started", str(error))
    state_dir = config.radar.data.state
    if running(state_dir, RUN_LOCK_FILE):
        message = "A re-enrichment is already running; its progress is on the re-enrich page."
        return render(request, "error.html", {"title": "Already running", "message": message}, 409)
    argv = reenrich_arguments(config.radar_file, since=since, sources=sources)
    child, _ = start_background(state_dir, argv)
    # Reap the child when it ends, so a finished run leaves no zombie behind in the web server.
    threading.Thread(target=child.wait, name=f"reenrich-{child.pid}", daemon=True).start()
    window = f"since={since.isoformat() if since else 'all'}; sources={','.join(sources) or 'all'}"
    audit(state, who, WorkbenchAction.REENRICH, "start", None, f"pid {child.pid}; {window}")
    return RedirectResponse(f"/workbench/reenrich?started={child.pid}", status_code=303)
