"""Re-enrichment started from the web page: the real ``smokkelradar reenrich`` in a detached child
process against the real Elasticsearch node, its progress read from the checkpoint, a stopped run
resumed by the page's form, the back-fill queued once in the alert ledger."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from alerts.ledger import Ledger
from alerts.service import LEDGER_FILE
from indexer.document import doc_id
from tests.integration.workbench.world import SLANG, World, corpus_adverts, slang_advert
from tests.unit.web.support import add_user, csrf_token, login
from web.app import create_app
from web.settings import WebSettings
from workbench.reenrich.run import Reenricher, ReenrichOptions

pytestmark = [pytest.mark.es, pytest.mark.smtp]
WAIT_S = 240.0  # a generous bound for the child to load spaCy and finish; not a timing assertion


@pytest.fixture
def analyst(world: World, tmp_path: Path) -> Iterator[TestClient]:
    settings = replace(
        WebSettings.from_config(world.config, secure_cookies=False), state_dir=tmp_path / "web"
    )
    add_user(settings, "anna", "analyst")
    app = create_app(settings)
    client = TestClient(app)
    assert login(client, "anna").status_code == 303
    yield client
    app.state.web.close()


def _wait_until_done(client: TestClient, run: int) -> str:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        page = client.get("/workbench/reenrich").text
        state = re.search(rf'data-run="{run}" data-state="(\w+)"', page)
        if state and state.group(1) in ("done", "failed") and 'data-state="running"' not in page:
            return page
        time.sleep(1.0)
    raise AssertionError(f"run {run} did not finish within {WAIT_S} s:\n{page}")


def test_a_stopped_run_is_resumed_from_the_page_and_backfills_once(world: World, analyst: TestClient) -> None:
    slang_id, slang_text = slang_advert(3)
    adverts = [*corpus_adverts(per_language=2), (slang_id, "chat", slang_text)]
    world.index(adverts)
    world.add_term("transport.yaml", SLANG)
    # A run that stopped after its first page (as one killed or cut off from Elasticsearch would).
    stopped = Reenricher(world.config, world.client, ReenrichOptions(batch_size=5, max_pages=1)).run()
    assert stopped.run.state == "running" and stopped.run.seen == 5

    page = analyst.get("/workbench/reenrich")
    assert page.status_code == 200
    assert f"Run {stopped.run.id} stopped at 5 of {len(adverts)} adverts" in page.text
    assert re.search(rf'<strong class="pending">{len(adverts) - 5}</strong>', page.text)
    assert ">Resume</button>" in page.text

    started = analyst.post(
        "/workbench/reenrich", data={"csrf_token": csrf_token(analyst, "/workbench/reenrich")},
        follow_redirects=False,
    )  # fmt: skip
    assert started.status_code == 303 and started.headers["location"].startswith(
        "/workbench/reenrich?started="
    )
    finished = _wait_until_done(analyst, stopped.run.id)

    assert f'data-run="{stopped.run.id}" data-state="done"' in finished  # the same run, resumed
    assert f"{len(adverts)}/{len(adverts)}" in finished
    assert '<strong class="pending">0</strong>' in finished
    assert "boat" in world.doc(slang_id)["transport"]
    with Ledger(world.config.radar.data.state / LEDGER_FILE) as ledger:
        assert [(s, a) for s, _, a, _ in ledger.backfills()] == [("boats", doc_id(slang_id))]
        assert [m.advert_id for m in ledger.queued("boats")] == [doc_id(slang_id)]  # waits for the cadence

    refused = analyst.post("/workbench/reenrich", data={}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
