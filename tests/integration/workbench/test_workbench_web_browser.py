"""The analysts' workbench pages end to end in Debian's headless Chromium, against the app served by
uvicorn on 127.0.0.1 and the real local Elasticsearch with adverts of the demo corpus and a new
slang word ("zorgbot") that the keywords lack.

An analyst checks the keywords (and a broken draft), tests a text, back-tests a draft that adds the
slang word, accepts the suggested word into transport.yaml with one click, and labels an advert;
an officer labels too but is refused every workbench page and form. Every run is in the audit log.
Screenshots go to test-artifacts/workbench/.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI

from indexer.document import doc_id
from tests.integration.alerts.world import remove_templates
from tests.integration.web.conftest import LiveServer, browser
from tests.integration.workbench.world import SLANG, World, corpus_adverts, make_world, slang_advert
from tests.unit.web.support import PASSWORD, add_user
from web.app import create_app
from web.settings import WebSettings
from workbench.checks import check_keywords
from workbench.labels import LabelStore, labels_path

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

pytestmark = [pytest.mark.es, pytest.mark.browser]
__all__ = ["browser"]  # the web tests' Chromium fixture, used here

SHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "workbench"
SLANG_ADVERTS = [slang_advert(n) for n in range(6)]
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"> boat from Zuwara'


@dataclass
class Site:
    world: World
    app: FastAPI
    server: LiveServer


@pytest.fixture(scope="module")
def site(es_client: Elasticsearch, es_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    prefix = f"test-wbweb-{uuid.uuid4().hex[:10]}"
    world = make_world(tmp_path_factory.mktemp("wb-web") / "config", es_client, es_url, prefix, smtp_port=9)
    recent = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    world.index(corpus_adverts(per_language=6), date="2026-01-05T10:00:00Z")
    world.index([(advert_id, "chat", text) for advert_id, text in SLANG_ADVERTS], date=recent)
    settings = replace(
        WebSettings.from_config(world.config, secure_cookies=False),
        state_dir=tmp_path_factory.mktemp("wb-web-state"),
    )
    for name, role in (("anna", "analyst"), ("olga", "officer")):
        add_user(settings, name, role)
    app = create_app(settings)
    with LiveServer(app) as server:
        yield Site(world, app, server)
    app.state.web.close()
    for index in es_client.indices.get(index=f"{prefix}*", expand_wildcards="all", ignore_unavailable=True):
        es_client.indices.delete(index=index, ignore_unavailable=True)
    remove_templates(es_client, prefix)


WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));
"""


class Visit:
    def __init__(self, page: Any, site: Site) -> None:
        self.page = page
        self.url = site.server.url
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)
        page.add_init_script(WATCH)
        SHOTS.mkdir(parents=True, exist_ok=True)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, path: str) -> Any:
        return self.page.goto(self.url + path)

    def login(self, name: str) -> None:
        self.goto("/login")
        self.page.fill("input[name=name]", name)
        self.page.fill("input[name=password]", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("form[action='/login'] button[type=submit]")

    def submit(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.click(selector)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def clean(self) -> None:
        assert self.page.evaluate("typeof window.__pwned") == "undefined"
        assert self.dialogs == []
        assert self.page.evaluate("window.__violations") == []

    def csrf(self) -> str:
        return str(self.page.locator("input[name=csrf_token]").first.input_value())


@pytest.fixture
def visit(browser: Any, site: Site) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield Visit(context.new_page(), site)
    context.close()


def _actions(site: Site, user: str) -> list[str]:
    from web.audit import AuditFilter

    entries = site.app.state.web.audit.entries(AuditFilter(user=user), limit=1000)
    return [entry.action for entry in reversed(entries)]


def test_an_analyst_checks_tests_backtests_accepts_and_labels(visit: Visit, site: Site) -> None:
    page, keywords = visit.page, site.world.keywords
    visit.goto("/workbench")
    visit.login("anna")
    with page.expect_navigation():
        page.locator("nav a", has_text="Workbench").click()
    assert page.locator("h1").inner_text() == "Analysts' workbench"

    # check: the live folder, with the same count as the CLI's check of it
    with page.expect_navigation():
        page.locator("a[href='/workbench/check']").click()
    visit.submit("form[action='/workbench/check'] button[type=submit]")
    expected = check_keywords([keywords])
    summary = f"0 errors, {len(expected.warnings)} warnings in 9 files"
    assert page.locator(".check-report .summary").inner_text() == summary
    assert page.locator("table.findings tbody tr").count() == len(expected.findings)
    # ... and a draft with a term that can never match: the error at the draft's file and line
    visit.goto("/workbench/check?file=transport.yaml")
    draft = page.locator("textarea[name=draft]").input_value()
    marker = "- value: boat\n    terms:\n      any: ["
    assert marker in draft
    page.fill("textarea[name=draft]", draft.replace(marker, marker + '"b o a t z", ', 1))
    visit.submit("form[action='/workbench/check'] button[type=submit]")
    error = page.locator("tr.finding-error")
    assert error.count() == 1
    line = draft[: draft.index(marker)].count("\n") + 3  # the line of the boat group's `any: [`
    assert error.locator("td").nth(0).inner_text() == f"draft of transport.yaml:{line}"
    assert error.locator("td").nth(3).inner_text() == "SR-E122"
    assert "'b o a t z' can never match" in error.locator("td").nth(4).inner_text()
    assert "b o a t z" not in (keywords / "transport.yaml").read_text(encoding="utf-8")  # nothing written
    visit.shot("check")

    # test: every finding marked in the text, hostile text shown as text
    visit.goto("/workbench/test")
    page.fill("textarea[name=text]", f"{HOSTILE}, 2500 euro per person, WhatsApp +218913012345")
    visit.submit("form[action='/workbench/test'] button[type=submit]")
    kinds = page.locator("table.marks tbody tr").evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert {"place", "price", "phone", "transport"} <= set(kinds)
    assert page.locator(".marked-test mark.mark-place", has_text="Zuwara").count() == 1
    assert page.locator(".marked-test mark.mark-transport", has_text="boat").count() == 1
    assert "<script>window.__pwned=1</script>" in page.locator(".marked-test").inner_text()
    assert page.locator(".test-result script, .test-result img").count() == 0
    visit.clean()
    visit.shot("test")

    # diff: a draft adding the slang word, against the live keywords, on the indexed adverts
    visit.goto("/workbench/diff?file=transport.yaml")
    draft = page.locator("textarea[name=draft]").input_value()
    page.fill("textarea[name=draft]", draft.replace(marker, marker + f'"{SLANG}", ', 1))
    page.fill("input[name=sample]", "1000")
    visit.submit("form[action='/workbench/diff'] button[type=submit]")
    assert "/workbench/diff/" in page.url
    page.wait_for_selector(".diff-report[data-state=done], [data-state=failed]", timeout=240_000)
    assert page.locator("[data-state=failed]").count() == 0
    slang_ids = sorted(advert_id for advert_id, _ in SLANG_ADVERTS)
    total = len(corpus_adverts(per_language=6)) + len(SLANG_ADVERTS)
    assert page.locator(".diff-report strong.adverts").inner_text() == str(total)
    transport = page.locator("tr[data-field=transport]")
    assert transport.locator(".gaining").inner_text() == str(len(slang_ids))
    assert transport.locator(".losing").inner_text() == "0"
    assert transport.locator(".chip.gained").all_inner_texts() == [f"+boat ({len(slang_ids)})"]
    boats = page.locator("tr[data-search=boats] td.gained a").all_inner_texts()
    assert sorted(boats) == slang_ids
    assert page.locator("tr[data-search=passports] td.gained a").count() == 0
    assert page.locator(".verdict").get_attribute("data-failed") == "no"
    visit.clean()
    visit.shot("diff")

    # suggest, and accept the slang word into transport.yaml with one click
    visit.goto("/workbench/suggest")
    page.fill("input[name=lang]", "en")
    page.fill("input[name=since]", "7d")
    visit.submit("form[action='/workbench/suggest'] button[type=submit]")
    suggestion = page.locator(f"section.suggestion[data-term='{SLANG}']")
    assert suggestion.count() == 1
    suggestion.locator("select[name=place]").select_option("transport.yaml|transport.boat")
    visit.submit(f"section.suggestion[data-term='{SLANG}'] button[type=submit]")
    assert page.locator("h1").inner_text() == "Term accepted"
    where = page.locator(".notice code.where").inner_text()
    text = (keywords / "transport.yaml").read_text(encoding="utf-8")
    number = int(where.split(":")[1])
    assert where.startswith("transport.yaml:") and f'"{SLANG}"' in text.splitlines()[number - 1]
    assert check_keywords([keywords]).errors == []
    visit.shot("accepted")

    # label an advert from its page
    slang_doc = doc_id(SLANG_ADVERTS[0][0])
    visit.goto(f"/adverts/{slang_doc}")
    visit.submit("form.label-form button[value=relevant]")
    assert page.locator("#label .notice").inner_text() == "Labelled relevant."
    page.locator("form.label-form select[name=field]").select_option("transport")
    visit.submit("form.label-form button[value=wrong-field]")
    assert page.locator("#label .notice").inner_text() == "Labelled wrong-field (transport)."
    with LabelStore(labels_path(site.world.config)) as store:
        labels = [(label.verdict, label.field, label.user) for label in store.of_advert(SLANG_ADVERTS[0][0])]
    assert labels == [("relevant", None, "anna"), ("wrong-field", "transport", "anna")]
    visit.clean()

    # every run is audited
    actions = _actions(site, "anna")
    for action in ("workbench", "keywords_check", "keywords_test", "keywords_diff", "keywords_suggest"):
        assert action in actions, action
    assert actions.count("keywords_accept") == 1 and actions.count("label") == 2
    # a form without the session's CSRF token is refused
    refused = page.request.post(
        f"{visit.url}/workbench/accept", form={"term": "sneaky", "place": "transport.yaml|transport.boat"}
    )
    assert refused.status == 403
    assert "sneaky" not in (keywords / "transport.yaml").read_text(encoding="utf-8")


def test_an_officer_labels_but_is_refused_the_workbench(visit: Visit, site: Site) -> None:
    page = visit.page
    visit.goto("/search")
    visit.login("olga")
    assert page.locator("nav a", has_text="Workbench").count() == 0
    pages = ("check", "test", "diff", "reenrich", "suggest")
    for path in ("/workbench", *(f"/workbench/{name}" for name in pages)):
        answer = visit.goto(path)
        assert answer.status == 403, path
        assert page.locator("h1").inner_text() == "Not allowed"
    token = visit.csrf()
    before = (site.world.keywords / "transport.yaml").read_text(encoding="utf-8")
    for path, form in (
        ("/workbench/accept", {"term": "sneaky", "place": "transport.yaml|transport.boat", "lang": "en"}),
        ("/workbench/check", {}),
        ("/workbench/diff", {"against": "HEAD", "sample": "10"}),
        ("/workbench/reenrich", {}),
    ):
        answer = page.request.post(f"{visit.url}{path}", form={"csrf_token": token, **form})
        assert answer.status == 403, path
    assert (site.world.keywords / "transport.yaml").read_text(encoding="utf-8") == before

    advert = doc_id(SLANG_ADVERTS[1][0])
    visit.goto(f"/adverts/{advert}")
    visit.submit("form.label-form button[value=not-relevant]")
    assert page.locator("#label .notice").inner_text() == "Labelled not-relevant."
    with LabelStore(labels_path(site.world.config)) as store:
        assert [(lb.verdict, lb.user) for lb in store.of_advert(SLANG_ADVERTS[1][0])] == [
            ("not-relevant", "olga")
        ]
    assert _actions(site, "olga").count("label") == 1
    visit.clean()
