"""The workbench's back-test jobs in their SQLite file: one at a time across every job list that
shares the file (as the workers of ``smokkelradar web --workers N`` do), steps and results read
back by any of them, a failure kept for its page, a job whose worker went silent failed — also
when the worker is a real process killed mid-job — and the diff report read back from its JSON.

The two-servers test with a real back-test is tests/integration/workbench/test_workbench_jobs_workers.py.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from web.routes.workbench_diff import report_from_dict
from web.routes.workbench_jobs import Jobs
from web.workbench_job_store import JOBS_FILE, MAX_KEPT, STALE_S, BusyError, Job, JobStore, stale_message
from workbench.compare import Example, FieldChange, SearchChange, ThresholdChange
from workbench.diff import DiffReport
from workbench.eval_delta import Delta, EvalComparison

REPO = Path(__file__).resolve().parents[3]


def _join(job_id: str) -> None:
    for thread in threading.enumerate():
        if thread.name == f"workbench-job-{job_id}":
            thread.join(30)


def _wait_for(read: Callable[[], Job | None], done: Callable[[Job], bool], what: str) -> Job:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = read()
        if job is not None and done(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def test_one_back_test_at_a_time_for_every_list_on_the_file_and_each_sees_steps_and_result(
    tmp_path: Path,
) -> None:
    path = tmp_path / JOBS_FILE
    first_worker, second_worker = Jobs(JobStore(path)), Jobs(JobStore(path))
    release = threading.Event()

    def slow(progress: Callable[[str], None]) -> dict[str, Any]:
        progress("waiting for the test")
        release.wait(30)
        return {"adverts": 12, "items": ["boat", "زورق"], "score": 0.5}

    job = first_worker.start("anna", "a back-test", slow)
    seen = _wait_for(
        lambda: second_worker.get(job.id), lambda j: j.step == "waiting for the test", "the step"
    )
    with pytest.raises(BusyError, match=r"anna is running a back-test \(waiting for the test\)"):
        second_worker.start("bert", "another", slow)
    with pytest.raises(BusyError):
        first_worker.start("bert", "another", slow)
    release.set()
    _join(job.id)
    done = second_worker.get(job.id)

    assert seen.running and seen.user == "anna" and seen.what == "a back-test" and seen.result is None
    assert done is not None and not done.running and done.status == "done" and done.step == "done"
    assert done.result == {"adverts": 12, "items": ["boat", "زورق"], "score": 0.5}
    assert done.finished_at is not None and done.seconds == done.finished_at - done.started_at
    assert second_worker.get("unknown") is None


def test_a_failure_and_a_result_that_is_not_json_are_kept_for_the_page(tmp_path: Path) -> None:
    jobs = Jobs(JobStore(tmp_path / JOBS_FILE))

    def broken(progress: Callable[[str], None]) -> None:
        raise ValueError("no adverts in the window")

    failed = jobs.start("bert", "another", broken)
    _join(failed.id)
    not_json = jobs.start("bert", "a third", lambda progress: {"when": object()})
    _join(not_json.id)
    first, second = jobs.get(failed.id), jobs.get(not_json.id)

    assert first is not None and first.status == "failed" and first.step == "failed"
    assert first.error == "ValueError: no adverts in the window"
    assert second is not None and second.status == "failed" and second.error.startswith("TypeError: ")


def test_a_job_whose_heartbeat_stopped_is_failed_and_frees_the_slot(tmp_path: Path) -> None:
    now = [1_000_000.0]
    store = JobStore(tmp_path / JOBS_FILE, clock=lambda: now[0])
    job = store.claim("diff", "anna", "a back-test", "host:1")
    now[0] += STALE_S - 1
    store.beat(job.id)
    now[0] += STALE_S - 1  # beaten in time: still running, still in the way
    alive = store.get(job.id)
    with pytest.raises(BusyError):
        store.claim("diff", "bert", "another", "host:2")
    now[0] += 2  # silent for longer than STALE_S
    dead = store.get(job.id)
    after = store.claim("diff", "bert", "another", "host:2")

    assert alive is not None and alive.running
    assert dead is not None and dead.status == "failed" and dead.error == stale_message(STALE_S)
    assert dead.finished_at == job.started_at + STALE_S - 1  # its last sign of life
    assert after.running and after.user == "bert"


def test_finished_jobs_are_kept_an_hour_and_only_the_newest_fifty(tmp_path: Path) -> None:
    now = [1_000_000.0]
    store = JobStore(tmp_path / JOBS_FILE, keep_s=3600, clock=lambda: now[0])
    ids = []
    for n in range(MAX_KEPT + 5):
        now[0] += 1
        job = store.claim("diff", "anna", f"back-test {n}", "host:1")
        store.finish(job.id, {"n": n})
        ids.append(job.id)
    kept = [job_id for job_id in ids if store.get(job_id) is not None]
    now[0] += 3601
    last = store.claim("diff", "anna", "after an hour", "host:1")

    assert kept == ids[-MAX_KEPT:]
    assert [job_id for job_id in ids if store.get(job_id) is not None] == []
    assert store.get(last.id) is not None


HOLDING_WORKER = """
import sys, threading
from pathlib import Path
from web.routes.workbench_jobs import Jobs
from web.workbench_job_store import JobStore

jobs = Jobs(JobStore(Path(sys.argv[1])), heartbeat_s=0.05)
hold = threading.Event()

def work(progress):
    progress("holding until killed")
    hold.wait()

print(jobs.start("anna", "a back-test in another process", work).id, flush=True)
hold.wait()
"""


def test_a_job_of_a_killed_worker_process_shows_failed_and_frees_the_slot(tmp_path: Path) -> None:
    path = tmp_path / JOBS_FILE
    JobStore(path)  # the file exists before the worker starts, as when the app runs
    worker = subprocess.Popen(
        [sys.executable, "-c", HOLDING_WORKER, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout is not None
        job_id = worker.stdout.readline().strip()
        patient = JobStore(path, stale_s=3600)
        first = _wait_for(lambda: patient.get(job_id), lambda j: j.step == "holding until killed", "the step")
        beating = _wait_for(
            lambda: patient.get(job_id), lambda j: j.heartbeat_at > first.heartbeat_at, "a beat"
        )
        with pytest.raises(BusyError, match="anna is running a back-test"):
            patient.claim("diff", "bert", "another", "host:2")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
        if worker.stdout is not None:
            worker.stdout.close()
    quick = JobStore(path, stale_s=0.5)
    dead = _wait_for(lambda: quick.get(job_id), lambda j: not j.running, "the job to be failed")
    after = quick.claim("diff", "bert", "another", "host:2")

    assert first.running and first.worker.endswith(f":{worker.pid}")
    assert beating.running
    assert dead.status == "failed" and dead.error == stale_message(0.5)
    assert after.running


def _example(n: int) -> Example:
    return Example(f"chat:slang-{n}", "chat", f"Trip number {n}: zorgbot leaving from Zuwara", f"+boat {n}")


def test_the_diff_report_comes_back_equal_from_its_json() -> None:
    report = DiffReport(
        against="live", baseline_version="defd60d206eb", proposed_version="0123456789ab", adverts=84,
        fields=[FieldChange("transport", {"boat": ["chat:slang-0", "chat:slang-1"]}, {"truck": ["x"]}, 2, 1,
                            [_example(0), _example(1)])],
        thresholds=[ThresholdChange(0.5, ["chat:slang-0"], [], [_example(0)]), ThresholdChange(0.8)],
        searches=[SearchChange("boats", 3, 5, ["chat:slang-0", "chat:slang-1"], [], [_example(1)]),
                  SearchChange("broken", error="query_shard_exception: no such field")],
        evaluation=EvalComparison(
            0.01, [Delta("transport f1", 0.9, 0.95), Delta("ar transport f1", 0.8, 0.7)]
        ),
        seconds={"build pipelines": 3.2, "read sample": 0.4},
    )  # fmt: skip
    back = report_from_dict(json.loads(json.dumps(report.as_dict())))

    assert back == report
    assert back.failed and back.evaluation is not None
    assert back.evaluation.worse == [Delta("ar transport f1", 0.8, 0.7)]
    assert report_from_dict({**report.as_dict(), "evaluation": None}).evaluation is None
