"""End to end in Debian's headless Chromium against the app served by uvicorn on 127.0.0.1 and
the real local Elasticsearch: an officer's day, the admin's audit view, the doors closed to a
visitor without a login, and adverts written to attack the page that shows them.

Screenshots of every page go to test-artifacts/web/.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.web.conftest import LiveServer
from tests.integration.web.world import HOSTILE_PHONE
from tests.unit.web.support import PASSWORD

pytestmark = [pytest.mark.es, pytest.mark.browser]

# Runs before any page script (Playwright injects it through the DevTools protocol, past the
# CSP): records CSP violations, so a page of ours that needed an inline script or style, or
# hostile markup that got through, shows up here.
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


class Visit:
    """One browser page with what it saw: dialogs and CSP violations."""

    def __init__(self, page: Any, server: LiveServer, shots: Path) -> None:
        self.page = page
        self.url = server.url
        self.shots = shots
        self.dialogs: list[str] = []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.add_init_script(WATCH)

    def goto(self, path: str) -> Any:
        return self.page.goto(self.url + path)

    def login(self, name: str, password: str = PASSWORD) -> None:
        self.goto("/login")
        self.page.fill("input[name=name]", name)
        self.page.fill("input[name=password]", password)
        with self.page.expect_navigation():
            self.page.click("form[action='/login'] button[type=submit]")

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def clean(self) -> None:
        """Nothing ran that we did not ship, and nothing broke our own policy."""
        assert self.page.evaluate("typeof window.__pwned") == "undefined"
        assert self.dialogs == []
        assert self.page.evaluate("window.__violations") == []
        scripts = self.page.evaluate("[...document.scripts].map(s => s.getAttribute('src'))")
        assert scripts == ["/static/app.js"]


@pytest.fixture
def visit(browser: Any, live_server: LiveServer, artifacts: Path) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    yield Visit(page, live_server, artifacts)
    context.close()


def test_without_a_login_every_page_leads_to_the_login_form(visit: Visit) -> None:
    for path in (
        "/search?q=boat", "/adverts/" + "0" * 32, "/pivot?phone=%2B218926481735", "/trends", "/saved",
        "/export.csv?q=boat", "/audit", "/admin/users", "/config",
    ):  # fmt: skip
        visit.goto(path)
        assert visit.page.url.startswith(visit.url + "/login?next="), path
        assert visit.page.locator("h1").inner_text() == "Log in"
    visit.shot("login")
    visit.clean()
    api = visit.goto("/api/search?q=boat")
    assert api.status == 401


def test_an_officers_day(visit: Visit, artifacts: Path) -> None:
    page = visit.page
    visit.goto("/search")
    visit.login("olga")
    assert page.url == visit.url + "/search"

    # Arabic: the query box and the Arabic results read right to left.
    page.fill("input[name=q]", "جواز سفر")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    assert page.locator("input[name=q]").evaluate("e => e.matches(':dir(rtl)')")
    snippets = page.locator("li.hit .snippet")
    assert snippets.count() > 0
    assert all(snippets.nth(i).evaluate("e => e.matches(':dir(rtl)')") for i in range(snippets.count()))
    assert page.locator("li.hit mark.mark-match").count() > 0
    visit.shot("search-arabic")

    # English, then a facet on and off again.
    page.fill("input[name=q]", "boat")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    before = page.locator("li.hit").count()
    assert page.locator("li.hit .snippet").first.evaluate("e => e.matches(':dir(ltr)')")
    total = int(page.locator(".summary strong").inner_text().replace(",", ""))
    with page.expect_navigation():
        page.locator("[data-facet=origin] a", has_text="Libya (LY)").click()
    routes = page.locator("li.hit dd.route").all_inner_texts()
    assert routes and all(route.startswith("LY →") for route in routes)
    assert int(page.locator(".summary strong").inner_text()) < total
    visit.shot("search-facet")
    with page.expect_navigation():
        page.locator(".chips a.remove").first.click()
    assert page.locator("li.hit").count() == before
    assert int(page.locator(".summary strong").inner_text().replace(",", "")) == total

    # An advert, then a pivot on its phone number.
    with page.expect_navigation():
        page.locator("[data-facet=origin] a", has_text="Libya (LY)").click()
    with_phone = page.locator("li.hit", has=page.locator(".contact-phone")).first
    phone = with_phone.locator(".contact-phone").first.inner_text()
    with page.expect_navigation():
        with_phone.locator("h3 a").click()
    assert page.url.startswith(visit.url + "/adverts/")
    assert page.locator(".advert-text mark").count() > 0
    visit.shot("advert")
    with page.expect_navigation():
        page.locator(".facts .contact-phone a", has_text=phone).click()
    assert page.locator("h1 .pivot-value").inner_text() == phone
    shared = page.request.get(f"{visit.url}/api/pivot", params={"phone": phone}).json()
    assert shared["total"] >= 1
    assert page.locator(".pivot-summary strong").first.inner_text() == str(shared["total"])
    assert page.locator(".timeline tbody tr").count() == shared["total"]
    visit.shot("pivot")

    # Export the search as CSV.
    visit.goto("/search?q=boat&origin=LY")
    expected = int(page.locator(".summary strong").inner_text())
    with page.expect_download() as download:
        page.locator(".summary a", has_text="export CSV").click()
    saved = artifacts / "export.csv"
    download.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert len(rows) == expected and all(r["origin"] == "LY" for r in rows)

    for path, name in (
        ("/trends?since=2026-07-27&until=2026-11-29", "trends"),
        ("/saved", "saved-searches"),
        ("/saved/forged-passports", "saved-search"),
    ):
        visit.goto(path)
        visit.clean()
        visit.shot(name)
        if name == "trends":
            assert page.locator("figure.chart svg").count() == 6

    visit.goto("/config")
    assert page.locator("h1").inner_text() == "Not allowed"
    with page.expect_navigation():
        page.click("form.logout button")
    visit.goto("/search")
    assert page.url.startswith(visit.url + "/login")


def test_the_admin_sees_the_officers_steps_in_the_audit_log(visit: Visit) -> None:
    visit.goto("/search")
    visit.login("olga")
    visit.goto("/search?q=boat")
    visit.goto("/pivot?phone=%2B218926481735")
    with visit.page.expect_navigation():
        visit.page.click("form.logout button")
    visit.login("adam")
    visit.goto("/audit?user=olga")
    visit.clean()
    visit.shot("audit")
    actions = visit.page.locator("table.audit tbody tr td:nth-child(5)").all_inner_texts()
    queries = visit.page.locator("table.audit tbody tr td:nth-child(6)").all_inner_texts()
    assert {"login", "search", "pivot", "logout"} <= set(actions)
    assert "q=boat" in queries and "phone=+218926481735" in queries
    visit.goto("/admin/users")
    visit.clean()
    visit.shot("users")
    visit.goto("/config")
    visit.shot("config")


def test_hostile_adverts_run_nothing_and_leave_the_layout_alone(visit: Visit) -> None:
    page = visit.page
    visit.goto("/search")
    visit.login("olga")
    pages = {
        "hostile-search": "/search?source=hostile-feed&q=passport",
        "hostile-collapsed": "/search?source=hostile-feed&collapse=1",
        "hostile-pivot": f"/pivot?phone={HOSTILE_PHONE.replace('+', '%2B')}",
        "hostile-trends": "/trends?source=hostile-feed&since=2026-11-01&until=2026-11-29",
    }
    for name, path in pages.items():
        visit.goto(path)
        visit.clean()
        visit.shot(name)
        body = page.inner_text("body")
        assert "<script>window.__pwned=1</script>" in body or name == "hostile-trends"  # shown as text
        assert "\u202e" not in body  # overrides are shown as markers, never obeyed
        handlers = page.evaluate(
            "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name))"
            ".filter(n => n.startsWith('on'))"
        )
        assert handlers == []
        assert page.locator("a[href^='javascript:' i], a[href^='data:' i]").count() == 0
        # Long unbroken attacker text wraps instead of widening the page.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    visit.goto("/search?source=hostile-feed")
    hit = page.locator("li.hit").first
    assert "⟦RLO⟧" in hit.inner_text()
    # The metadata row still reads left to right after the hostile contacts.
    xs = [
        hit.locator(f"dd.{name}").bounding_box()["x"] for name in ("route", "price", "contacts", "language")
    ]
    assert xs == sorted(xs)
    with page.expect_navigation():
        hit.locator("h3 a").click()
    visit.clean()
    visit.shot("hostile-advert")
    text = page.locator(".advert-text").inner_text()
    assert text.index("WhatsApp") < text.index(HOSTILE_PHONE)  # read in logical order, not reversed
    assert page.locator(".advert-text mark.mark-phone").inner_text() == HOSTILE_PHONE
    # Every link on the page goes to this site, or is an http(s) link that opens apart.
    links = page.evaluate("[...document.links].map(a => [a.protocol, a.host === location.host, a.rel])")
    assert all(proto in ("http:", "https:") and (same or "noopener" in rel) for proto, same, rel in links)
    # Pinning from the hostile page still works (the form is ours, not the advert's).
    page.fill("input[name=case]", "MDT-XSS-1")
    with page.expect_navigation():
        page.click("section.pin button")
    assert "Pinned to case" in page.locator(".notice").inner_text()
    visit.clean()


def test_paging_forward_and_back_keeps_the_whole_search_in_the_address(
    visit: Visit, browser: Any, live_server: LiveServer
) -> None:
    page = visit.page
    visit.goto("/search")
    visit.login("olga")
    visit.goto("/search?sort=date&collapse=1")
    first = page.locator("li.hit").evaluate_all("hits => hits.map(h => h.dataset.doc)")
    assert page.locator("nav.pages a.prev").count() == 0

    with page.expect_navigation():
        page.locator("nav.pages a.next").click()
    assert page.url == visit.url + "/search?sort=date&collapse=1&p=2"
    second = page.locator("li.hit").evaluate_all("hits => hits.map(h => h.dataset.doc)")
    assert len(first) == 20 and second and not set(first) & set(second)
    assert page.locator("nav.pages [aria-current=page]").inner_text() == "2"
    assert page.locator("ol.hits").get_attribute("start") == "21"
    visit.clean()
    visit.shot("search-page-2")

    # The address alone brings back the same page: in a fresh browser context, after logging in.
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        shared = Visit(other.new_page(), live_server, visit.shots)
        shared.goto("/search?sort=date&collapse=1&p=2")  # leads to the login form, which leads back
        shared.page.fill("input[name=name]", "olga")
        shared.page.fill("input[name=password]", PASSWORD)
        with shared.page.expect_navigation():
            shared.page.click("form[action='/login'] button[type=submit]")
        assert shared.page.url == visit.url + "/search?sort=date&collapse=1&p=2"
        again = shared.page.locator("li.hit").evaluate_all("hits => hits.map(h => h.dataset.doc)")
        assert again == second
    finally:
        other.close()

    with page.expect_navigation():
        page.locator("nav.pages a.prev").click()
    assert page.locator("li.hit").evaluate_all("hits => hits.map(h => h.dataset.doc)") == first
    page.go_back()
    assert page.locator("nav.pages [aria-current=page]").inner_text() == "2"
    with page.expect_navigation():
        page.locator("nav.pages a.first").click()
    assert page.url == visit.url + "/search?sort=date&collapse=1"
    visit.clean()
