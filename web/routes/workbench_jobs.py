"""Back-tests that run while the analyst watches: ``keywords diff`` in a thread of the web worker
that accepted the form.

A diff of 1,000 adverts takes seconds, one of 10,000 about half a minute (docs/workbench.md), too
long for a request. The page starts a job and sends the browser to the job's page, which reloads
itself (a ``<meta http-equiv="refresh">``: no script) and shows the step the back-test is at until
the report is there. The job's state is a row of the shared job store (``web.workbench_job_store``),
so with ``smokkelradar web --workers N`` every worker shows its progress and result, and one
back-test runs at a time in the whole app: two analysts cannot take both cores from the officers
searching. A worker that dies mid-job stops its heartbeat, and the job shows as failed.
Nothing is lost that a re-run does not give back: a diff writes nothing.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from typing import Any

from radar.logs import get_logger
from web.workbench_job_store import HEARTBEAT_S, JOBS_FILE, BusyError, Job, JobStore

log = get_logger("web.workbench.jobs")
__all__ = ["BusyError", "Job", "Jobs", "jobs_of"]

Work = Callable[[Callable[[str], None]], Any]  # work(progress) -> a JSON value


class Jobs:
    """Starts back-tests in this process and reads any worker's from the store."""

    def __init__(self, store: JobStore, *, heartbeat_s: float = HEARTBEAT_S) -> None:
        self.store = store
        self.heartbeat_s = heartbeat_s
        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    def get(self, job_id: str) -> Job | None:
        return self.store.get(job_id)

    def start(self, user: str, what: str, work: Work, *, kind: str = "diff") -> Job:
        """Run ``work(progress)`` in a thread; ``progress(step)`` names the step it is at, and the
        value ``work`` returns must be JSON (it is read back by whichever worker shows the page).

        Raises BusyError while any worker runs a back-test."""
        job = self.store.claim(kind, user, what, self.worker)
        done = threading.Event()

        def progress(step: str) -> None:
            self._quietly(self.store.progress, job.id, step)

        def heartbeat() -> None:
            while not done.wait(self.heartbeat_s):
                self._quietly(self.store.beat, job.id)

        def run() -> None:
            try:
                result = work(progress)
                self.store.finish(job.id, result)
            except Exception as error:  # shown on the job's page; the thread must not die silently
                log.exception("back-test failed", extra={"job": job.id})
                self._quietly(self.store.fail, job.id, f"{type(error).__name__}: {error}")
            finally:
                done.set()

        threading.Thread(target=heartbeat, name=f"workbench-heartbeat-{job.id}", daemon=True).start()
        threading.Thread(target=run, name=f"workbench-job-{job.id}", daemon=True).start()
        return job

    @staticmethod
    def _quietly(write: Callable[..., None], *args: str) -> None:
        """A store write from a job's threads: a busy or broken file is logged, and the job goes on
        (a missed step or heartbeat shows late; a missed end shows as failed once stale)."""
        try:
            write(*args)
        except Exception:
            log.exception("cannot record the back-test's state", extra={"job": args[0], "file": JOBS_FILE})


_CREATE = threading.Lock()


def jobs_of(app_state: Any) -> Jobs:
    """The app's jobs (made on first use), stored in ``<data.state>/web/workbench_jobs.sqlite``."""
    with _CREATE:
        jobs = getattr(app_state, "workbench_jobs", None)
        if not isinstance(jobs, Jobs):
            jobs = Jobs(JobStore(app_state.web.settings.state_dir / JOBS_FILE))
            app_state.workbench_jobs = jobs
        return jobs
