"""Back-tests that run while the analyst watches: ``keywords diff`` in a worker thread of the web app.

A diff of 1,000 adverts takes seconds, one of 10,000 about half a minute (docs/workbench.md), too
long for a request. The page starts a job and sends the browser to the job's page, which reloads
itself (a ``<meta http-equiv="refresh">``: no script) and shows the step the back-test is at until
the report is there. Jobs live in the app's memory: a restart forgets them, and nothing is lost
that a re-run does not give back (a diff writes nothing). One runs at a time per app, so two
analysts cannot take both cores from the officers searching; finished jobs are kept for an hour.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from radar.logs import get_logger

log = get_logger("web.workbench.jobs")
KEEP_S = 3600.0
MAX_KEPT = 50


@dataclass
class Job:
    id: str
    user: str
    what: str  # shown on the page: "draft of transport.yaml against the live keywords, 1,000 adverts"
    step: str = "waiting"
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    result: Any = None
    error: str = ""

    @property
    def running(self) -> bool:
        return self.finished is None

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started


class BusyError(Exception):
    """Another back-test is still running."""


class Jobs:
    """The back-tests of one web app."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def start(self, user: str, what: str, work: Callable[[Callable[[str], None]], Any]) -> Job:
        """Run ``work(progress)`` in a thread; ``progress(step)`` names the step it is at."""
        with self._lock:
            self._forget_old()
            busy = [job for job in self._jobs.values() if job.running]
            if busy:
                raise BusyError(f"{busy[0].user} is running a back-test ({busy[0].step}); try again shortly")
            job = Job(secrets.token_urlsafe(12), user, what)
            self._jobs[job.id] = job

        def step(name: str) -> None:
            job.step = name

        def run() -> None:
            try:
                job.result = work(step)
                job.step = "done"
            except Exception as error:  # shown on the job's page; the thread must not die silently
                log.exception("back-test failed", extra={"job": job.id})
                job.error = f"{type(error).__name__}: {error}"
                job.step = "failed"
            finally:
                job.finished = time.monotonic()

        threading.Thread(target=run, name=f"workbench-job-{job.id}", daemon=True).start()
        return job

    def _forget_old(self) -> None:
        now = time.monotonic()
        old = [j.id for j in self._jobs.values() if j.finished is not None and now - j.finished > KEEP_S]
        for job_id in old:
            del self._jobs[job_id]
        while len(self._jobs) > MAX_KEPT:
            oldest = min(
                (j for j in self._jobs.values() if not j.running), key=lambda j: j.started, default=None
            )
            if oldest is None:
                break
            del self._jobs[oldest.id]


_CREATE = threading.Lock()


def jobs_of(app_state: Any) -> Jobs:
    """The app's job list (made on first use; ``app.state`` belongs to the app, not to a module)."""
    with _CREATE:
        jobs = getattr(app_state, "workbench_jobs", None)
        if not isinstance(jobs, Jobs):
            jobs = Jobs()
            app_state.workbench_jobs = jobs
        return jobs
