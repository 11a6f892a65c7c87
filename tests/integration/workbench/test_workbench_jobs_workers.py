"""Back-tests across web processes: two ``smokkelradar web`` servers on one configuration share the
state folder, as the workers of ``smokkelradar web --workers N`` do, and agree on the back-tests.

Two servers on two ports (instead of two workers behind one) let each request name the process
that answers it. Both run as an operator starts them, against the real local Elasticsearch with
adverts of the demo corpus and six adverts using a slang word no keyword file has. A back-test
held by a third process (this one, through the same job list the web app uses) is shown running,
with its step, by both servers, and both refuse a second one; its report is then the same on
both. A back-test started through one server's form is followed to its report through the other,
and the slot it held is free again for either.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from parsel import Selector

from tests.integration.alerts.world import remove_templates
from tests.integration.web.conftest import free_port
from tests.integration.web.web_process import start_web, stop_web, wait_until_up
from tests.integration.workbench.world import SLANG, World, corpus_adverts, make_world, slang_advert
from tests.unit.web.support import CSRF_TOKEN, LOGIN_TOKEN, PASSWORD, add_user
from web.routes.workbench_jobs import Jobs
from web.settings import WebSettings
from web.workbench_job_store import JOBS_FILE, JobStore
from workbench.diff import DiffOptions, run_diff
from workbench.keyword_sets import load_files

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

pytestmark = [pytest.mark.es, pytest.mark.slow]

SLANG_ADVERTS = [slang_advert(n) for n in range(6)]
SLANG_IDS = sorted(advert_id for advert_id, _ in SLANG_ADVERTS)
BOAT_TERMS = "- value: boat\n    terms:\n      any: ["
HELD_STEP = "held by the test"


@dataclass
class Site:
    world: World
    settings: WebSettings
    servers: dict[str, str]  # "A" and "B" -> base URL
    cookie: str = ""


@pytest.fixture(scope="module")
def site(es_client: Elasticsearch, es_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    prefix = f"test-wbjobs-{uuid.uuid4().hex[:10]}"
    world = make_world(tmp_path_factory.mktemp("wb-jobs") / "config", es_client, es_url, prefix, smtp_port=9)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        world.index(corpus_adverts(per_language=6), date="2026-01-05T10:00:00Z")
        world.index([(advert_id, "chat", text) for advert_id, text in SLANG_ADVERTS])
        settings = WebSettings.from_config(world.config, secure_cookies=False)
        add_user(settings, "anna", "analyst")
        servers = {}
        for name in ("A", "B"):
            port = free_port()
            processes.append(start_web(world.radar_yaml, port))
            servers[name] = f"http://127.0.0.1:{port}"
        for process, url in zip(processes, servers.values(), strict=True):
            wait_until_up(url, process)
        yield Site(world, settings, servers, _login(servers["A"]))
    finally:
        for process in processes:
            stop_web(process)
        for index in es_client.indices.get(
            index=f"{prefix}*", expand_wildcards="all", ignore_unavailable=True
        ):
            es_client.indices.delete(index=index, ignore_unavailable=True)
        remove_templates(es_client, prefix)


def _login(url: str) -> str:
    with httpx.Client(base_url=url, follow_redirects=False, timeout=30) as client:
        token = LOGIN_TOKEN.search(client.get("/login").text)
        assert token
        answer = client.post(
            "/login", data={"name": "anna", "password": PASSWORD, "login_token": token.group(1)}
        )
        assert answer.status_code == 303
        return f"sr_session={answer.cookies['sr_session']}"


def _get(site: Site, server: str, path: str) -> httpx.Response:
    with httpx.Client(base_url=site.servers[server], follow_redirects=False, timeout=60) as client:
        return client.get(path, headers={"Cookie": site.cookie})


def _slang_draft(site: Site, server: str) -> tuple[str, str]:
    """(CSRF token, transport.yaml with the slang word added to the boat terms) from the diff form."""
    page = _get(site, server, "/workbench/diff?file=transport.yaml")
    token = CSRF_TOKEN.search(page.text)
    draft = Selector(page.text).css("textarea[name=draft]::text").get() or ""
    assert token and BOAT_TERMS in draft
    return token.group(1), draft.replace(BOAT_TERMS, BOAT_TERMS + f'"{SLANG}", ', 1)


def _start(site: Site, server: str) -> httpx.Response:
    token, draft = _slang_draft(site, server)
    form = {
        "csrf_token": token,
        "file": "transport.yaml",
        "draft": draft,
        "against": "live",
        "sample": "1000",
    }
    with httpx.Client(base_url=site.servers[server], follow_redirects=False, timeout=60) as client:
        return client.post("/workbench/diff", data=form, headers={"Cookie": site.cookie})


def _state(page: httpx.Response) -> str:
    assert page.status_code == 200, page.text[:500]
    return Selector(page.text).css("[data-state]::attr(data-state)").get() or ""


def _wait_done(site: Site, server: str, job_id: str, seen: list[str] | None = None) -> httpx.Response:
    deadline = time.monotonic() + 280
    while time.monotonic() < deadline:
        page = _get(site, server, f"/workbench/diff/{job_id}")
        state = _state(page)  # every reload answers 200, whichever process runs the job
        if seen is not None:
            seen.append(state)
        if state != "running":
            return page
        time.sleep(0.5)
    raise AssertionError(f"back-test {job_id} still running on {server}")


def _report(page: httpx.Response) -> dict[str, Any]:
    """What the report says about the slang word: adverts, the transport field, the boats search."""
    html = Selector(page.text)
    transport = html.css("tr[data-field=transport]")
    return {
        "state": _state(page),
        "adverts": html.css(".diff-report strong.adverts::text").get(),
        "gaining": transport.css(".gaining::text").get(),
        "losing": transport.css(".losing::text").get(),
        "gained": transport.css(".chip.gained").xpath("string()").getall(),
        "boats": sorted(html.css("tr[data-search=boats] td.gained a bdi::text").getall()),
        "passports": html.css("tr[data-search=passports] td.gained a").getall(),
        "verdict": html.css(".verdict::attr(data-failed)").get(),
    }


def _expected_report() -> dict[str, Any]:
    return {
        "state": "done", "adverts": str(len(corpus_adverts(per_language=6)) + len(SLANG_ADVERTS)),
        "gaining": str(len(SLANG_IDS)), "losing": "0", "gained": [f"+boat ({len(SLANG_IDS)})"],
        "boats": SLANG_IDS, "passports": [], "verdict": "no",
    }  # fmt: skip


def _held_job(site: Site, release: threading.Event) -> str:
    """A back-test run by this process through the web app's own job list on the shared state
    folder: it names its step and waits for ``release``, then runs the real diff of the slang draft."""
    folder = site.world.keywords
    draft = site.world.radar_yaml.parent / "held-draft" / "transport.yaml"
    draft.parent.mkdir(exist_ok=True)
    draft.write_text(
        (folder / "transport.yaml").read_text("utf-8").replace(BOAT_TERMS, BOAT_TERMS + f'"{SLANG}", ', 1),
        "utf-8",
    )
    baseline, proposed = load_files(folder), load_files(folder, [draft])

    def work(progress: Callable[[str], None]) -> dict[str, Any]:
        progress(HELD_STEP)
        release.wait(240)
        return run_diff(
            baseline, proposed, against="live", client=site.world.client, alias=site.settings.alias,
            searches=dict(site.settings.saved_searches), options=DiffOptions(sample=1000), progress=progress,
        ).as_dict()  # fmt: skip

    jobs = Jobs(JobStore(site.settings.state_dir / JOBS_FILE))
    return jobs.start("anna", "slang draft held by the test", work).id


def test_a_back_test_held_elsewhere_is_shown_and_refuses_a_second_on_every_server(site: Site) -> None:
    release = threading.Event()
    job_id = _held_job(site, release)
    try:
        pages = {server: _get(site, server, f"/workbench/diff/{job_id}") for server in ("A", "B")}
        refused = {server: _start(site, server) for server in ("A", "B")}
    finally:
        release.set()
    done = {server: _wait_done(site, server, job_id) for server in ("B", "A")}

    for server in ("A", "B"):
        running = Selector(pages[server].text)
        assert _state(pages[server]) == "running"
        assert running.css("[data-state=running] strong::text").get() == HELD_STEP
        assert refused[server].status_code == 409
        assert f"anna is running a back-test ({HELD_STEP}); try again shortly" in refused[server].text
        assert _report(done[server]) == _expected_report()


def test_a_back_test_started_through_one_server_is_followed_to_its_end_through_the_other(site: Site) -> None:
    started = _start(site, "A")
    assert started.status_code == 303
    location = started.headers["location"]
    assert re.fullmatch(r"/workbench/diff/[\w-]{16}", location)
    job_id = location.rsplit("/", 1)[1]
    seen: list[str] = []
    on_b = _wait_done(site, "B", job_id, seen)
    on_a = _get(site, "A", location)
    again = _start(site, "B")  # the slot is free again, for the other server too
    assert again.status_code == 303
    after = _wait_done(site, "A", again.headers["location"].rsplit("/", 1)[1])

    assert set(seen) <= {"running", "done"} and seen[-1] == "done"
    assert _report(on_b) == _expected_report()
    assert _report(on_a) == _expected_report()
    assert _report(after) == _expected_report()
