"""The pages against the real local Elasticsearch and the labelled corpus (FastAPI's TestClient):
search and its facets, paging and collapse, the advert view, pin, evidence, pivot, trends,
saved searches and exports, each recorded in the audit log."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from alerts.ledger import Ledger, Match
from indexer.document import doc_id
from tests.integration.indexer.corpus_items import corpus_entries
from tests.integration.web.world import EVIDENCE_BYTES, HOSTILE_PHONE, World
from tests.unit.web.support import csrf_token, login
from web.audit import AuditFilter
from web.search_gate import SearchGate

pytestmark = pytest.mark.es

HIT = re.compile(r'<li class="hit" data-doc="([0-9a-f]{32})">')


def audit_of(app: FastAPI, action: str) -> list[object]:
    return list(app.state.web.audit.entries(AuditFilter(action=action)))


def labelled(predicate: Callable[[dict[str, object]], bool]) -> set[str]:
    return {doc_id(f"demo-{e['channel']}:{e['id']}") for e in corpus_entries() if predicate(e)}


def api(client: TestClient, query: str) -> dict[str, object]:
    answer = client.get(f"/api/search?{query}")
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def test_an_arabic_search_finds_arabic_adverts_with_marked_matches(
    web_app: FastAPI, web_client: TestClient
) -> None:
    login(web_client, "olga")
    page = web_client.get("/search", params={"q": "جواز سفر"})

    assert page.status_code == 200
    found = HIT.findall(page.text)
    assert found and set(found) <= labelled(lambda e: e["lang"] == "ar")
    assert '<mark class="mark-match">جواز</mark>' in page.text
    assert re.search(r"Arabic \(ar\)</bdi></a> <span class=\"count\">\d+</span>", page.text)
    entry = audit_of(web_app, "search")[0]
    assert (entry.user, entry.results) == ("olga", len(found))  # type: ignore[attr-defined]
    assert "q=%D8%AC" in entry.query  # type: ignore[attr-defined]


def test_facet_links_apply_and_remove_filters(web_client: TestClient) -> None:
    login(web_client, "olga")
    page = web_client.get("/search", params={"q": "boat"})
    link = re.search(r'<a href="([^"]+)"\s*><bdi>Libya \(LY\)</bdi>', page.text)
    assert link, "no 'from Libya' facet on the page"
    filtered = web_client.get(unescape(link.group(1)))
    removal = re.search(r'<a class="remove" href="([^"]+)" aria-label="remove filter from LY"', filtered.text)
    assert removal
    back = web_client.get(unescape(removal.group(1)))

    libya_boats = api(web_client, "q=boat&origin=LY&facets=0")
    hits = libya_boats["hits"]
    assert isinstance(hits, list) and hits
    assert all(h["route"]["origin"] == "LY" for h in hits)
    assert set(HIT.findall(filtered.text)) == {h["doc_id"] for h in hits}
    assert len(HIT.findall(back.text)) >= len(HIT.findall(filtered.text))
    assert HIT.findall(back.text) == HIT.findall(page.text)


def test_the_api_counts_exactly_the_labelled_adverts(web_client: TestClient) -> None:
    login(web_client, "olga")
    body = api(web_client, "origin=LY&destination=IT&facets=1")

    wanted = labelled(
        lambda e: e["labels"]["route"]["origin"] == "LY" and e["labels"]["route"]["destination"] == "IT"
    )  # type: ignore[index]
    assert body["total"] == len(wanted) + 2  # and the two hostile adverts, also Libya -> Italy
    assert body["search"] == "origin=LY&destination=IT"
    assert {b["key"] for b in body["facets"]["origin"]} == {"LY"}  # type: ignore[index]


def test_paging_forward_and_back_never_repeats_or_loses_a_hit(
    web_client: TestClient, web_world: World
) -> None:
    login(web_client, "olga")
    first = web_client.get("/search", params={"sort": "date"})
    next_link = re.search(r'<a class="next" rel="next" href="([^"]+)"', first.text)
    assert next_link
    second = web_client.get(unescape(next_link.group(1)))
    prev_link = re.search(r'<a class="prev" rel="prev" href="([^"]+)"', second.text)
    assert prev_link
    back = web_client.get(unescape(prev_link.group(1)))
    last_link = re.search(r'<a class="last" href="([^"]+)"', first.text)
    assert last_link
    last = web_client.get(unescape(last_link.group(1)))

    one, two, last_hits = HIT.findall(first.text), HIT.findall(second.text), HIT.findall(last.text)
    assert len(one) == len(two) == 20 and not set(one) & set(two)
    assert HIT.findall(back.text) == one
    pages = -(-web_world.adverts // 20)
    assert len(last_hits) == web_world.adverts - 20 * (pages - 1)
    assert f"page 2 of {pages}" in second.text and 'start="21"' in second.text
    assert unescape(next_link.group(1)) == "/search?sort=date&p=2"  # the whole search, bookmarkable
    assert f"<strong>{web_world.adverts}</strong> adverts" in first.text


def test_collapse_shows_one_advert_per_cluster_with_its_repost_count(web_client: TestClient) -> None:
    login(web_client, "olga")
    plain = web_client.get("/search", params={"source": "hostile-feed"})
    collapsed = web_client.get("/search", params={"source": "hostile-feed", "collapse": "1"})

    assert len(HIT.findall(plain.text)) == 2
    assert len(HIT.findall(collapsed.text)) == 1
    assert re.search(r'<dd class="reposts"><a href="/pivot\?cluster=[0-9a-f]+">1</a>', collapsed.text)


def test_bad_search_input_is_explained_not_crashed_on(web_client: TestClient) -> None:
    login(web_client, "olga")
    page = web_client.get("/search", params={"price_min": "cheap"})
    pivot = web_client.get("/pivot", params={"phone": "+218912345678", "handle": "x"})

    assert page.status_code == 400 and "price from (EUR): not a number: &#39;cheap&#39;" in page.text
    assert pivot.status_code == 400 and "exactly one of a phone, a handle or a cluster" in pivot.text


def test_the_advert_view_marks_entities_and_shows_rules_to_analysts_only(
    web_app: FastAPI, web_client: TestClient
) -> None:
    advert = doc_id("hostile-feed:1")
    login(web_client, "olga")
    officer_page = web_client.get(f"/adverts/{advert}", params={"q": "passport"})
    analyst = TestClient(web_app)
    login(analyst, "arno")
    analyst_page = analyst.get(f"/adverts/{advert}")

    assert officer_page.status_code == 200
    assert '<mark class="mark-match">Passport</mark>' in officer_page.text
    assert f'<mark class="mark-phone">{HOSTILE_PHONE}</mark>' in officer_page.text
    assert '<mark class="mark-place">Tripoli</mark>' in officer_page.text
    assert "Score and fired rules" not in officer_page.text
    assert "Score and fired rules" in analyst_page.text and "0.95" in analyst_page.text
    assert "2 adverts, first seen" in officer_page.text  # the near-duplicate cluster
    assert audit_of(web_app, "advert")[-1].query == advert  # type: ignore[attr-defined]


def test_pinning_an_advert_to_a_case_from_the_page(
    web_app: FastAPI, web_client: TestClient, web_world: World
) -> None:
    entry = next(e for e in corpus_entries() if e["lang"] == "fa")
    advert = doc_id(f"demo-{entry['channel']}:{entry['id']}")
    case = f"MDT-2026-{datetime.now(UTC):%H%M%S%f}"
    login(web_client, "olga")
    token = csrf_token(web_client, f"/adverts/{advert}")
    pinned = web_client.post(
        f"/adverts/{advert}/pin", data={"csrf_token": token, "case": case}, follow_redirects=False
    )
    page = web_client.get(pinned.headers["location"])
    by_case = api(web_client, f"case={case}")
    refused = web_client.post(f"/adverts/{advert}/pin", data={"csrf_token": token, "case": "<script>"})

    assert pinned.status_code == 303
    assert f"Pinned to case <bdi>{case}</bdi>" in page.text
    assert [h["doc_id"] for h in by_case["hits"]] == [advert]  # type: ignore[union-attr]
    assert refused.status_code == 400
    pin = audit_of(web_app, "pin")[0]
    assert pin.query == advert and f"case={case}" in pin.detail  # type: ignore[attr-defined]


def test_evidence_is_served_only_when_its_sha256_still_matches(web_client: TestClient) -> None:
    login(web_client, "olga")
    good = web_client.get(f"/adverts/{doc_id('hostile-feed:1')}/evidence/0")
    changed = web_client.get(f"/adverts/{doc_id('hostile-feed:2')}/evidence/0")
    missing = web_client.get(f"/adverts/{doc_id('hostile-feed:1')}/evidence/5")

    assert good.status_code == 200 and good.content == EVIDENCE_BYTES
    assert good.headers["x-evidence-sha256"] == hashlib.sha256(EVIDENCE_BYTES).hexdigest()
    assert good.headers["content-disposition"].startswith("attachment;")
    assert good.headers["content-type"] == "application/octet-stream"
    assert changed.status_code == 409 and "changed since" in changed.text
    assert missing.status_code == 404


def test_pivot_on_a_phone_number_shows_every_advert_and_source(
    web_app: FastAPI, web_client: TestClient
) -> None:
    phone = "+218926481735"
    wanted = labelled(lambda e: phone in e["labels"]["phones"])  # type: ignore[operator]
    login(web_client, "olga")
    page = web_client.get("/pivot", params={"phone": "00218 92 648 1735"})

    assert page.status_code == 200
    assert f"<strong>{len(wanted)}</strong> adverts" in page.text
    assert set(re.findall(r'<a href="/adverts/([0-9a-f]{32})">', page.text)) == wanted
    assert "Routes and prices over time" in page.text
    assert audit_of(web_app, "pivot")[0].results == len(wanted)  # type: ignore[attr-defined]


def test_trends_are_drawn_as_svg_from_every_advert_of_the_period(
    web_client: TestClient, web_world: World
) -> None:
    login(web_client, "olga")
    page = web_client.get("/trends", params={"since": "2026-07-27", "until": "2026-11-29"})

    assert page.status_code == 200
    assert f"{web_world.adverts} adverts" in page.text
    assert page.text.count("<svg") == 6  # four weekly counts, median prices, new phone numbers
    assert "Adverts per week by route" in page.text and "LY → IT" in page.text
    assert "Median price per route per month" in page.text
    assert f'<a href="/pivot?phone=%2B218911000111"><bdi>{HOSTILE_PHONE}</bdi></a>' in page.text


def test_exports_hold_the_whole_result_set(web_app: FastAPI, web_client: TestClient) -> None:
    login(web_client, "olga")
    total = api(web_client, "lang=ar&facets=0")["total"]
    exported = web_client.get("/export.csv", params={"lang": "ar"})
    hostile = web_client.get("/export.csv", params={"source": "hostile-feed"})
    as_json = web_client.get("/export.json", params={"lang": "ar"})

    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert exported.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert len(rows) == total and all(r["language"] == "ar" for r in rows)
    hostile_rows = list(csv.DictReader(io.StringIO(hostile.text.lstrip("\ufeff"))))
    assert {r["phones"] for r in hostile_rows} == {"'" + HOSTILE_PHONE}  # no formula for spreadsheets
    body = json.loads(as_json.content)
    assert body["count"] == total and body["exported_by"] == "olga"
    assert all("rules" not in advert and "score" not in advert for advert in body["adverts"])
    exports = audit_of(web_app, "export")
    assert [(e.results, e.detail) for e in exports][-1] == (total, "csv")  # type: ignore[attr-defined]


def test_an_export_past_the_limit_is_refused_with_the_numbers(make_web_app: Callable[..., FastAPI]) -> None:
    app = make_web_app(export_limit=5)
    client = TestClient(app)
    login(client, "olga")
    answer = client.get("/export.csv", params={"lang": "ar"})
    small = client.get("/export.json", params={"source": "hostile-feed"})

    total = sum(e["lang"] == "ar" for e in corpus_entries())
    assert answer.status_code == 413
    assert f"this search matches {total} adverts; an export holds at most 5." in answer.text
    assert "Narrow the search" in answer.text and 'href="/search?lang=ar"' in answer.text
    assert small.status_code == 200 and json.loads(small.content)["count"] == 2
    refused = app.state.web.audit.entries(AuditFilter(action="export_refused"))[0]
    assert (refused.results, refused.detail) == (total, "csv, limit 5")


def test_saved_searches_run_and_show_what_they_sent(
    make_web_app: Callable[..., FastAPI], tmp_path: Path
) -> None:
    ledger_path = tmp_path / "alerts.sqlite"
    app = make_web_app(ledger_path=ledger_path)
    advert = doc_id("hostile-feed:1")
    with Ledger(ledger_path) as ledger:
        now = datetime.now(UTC)
        with ledger.transaction() as db:
            ledger.record_matches(db, [Match("forged-passports", advert, advert)], now)
        match = Match("forged-passports", advert, advert)
        mail = ledger.add_mail(
            message_id="<1@test>",
            search="forged-passports",
            recipients=["mdt@test.invalid"],
            subject="Alert: forged-passports <script>",
            body=b"x",
            matches=[match],
            at=now,
        )
        ledger.mark_sent(mail, now)
    client = TestClient(app)
    login(client, "olga")
    listing = client.get("/saved")
    one = client.get("/saved/forged-passports")
    run = re.search(r'<a class="button" href="([^"]+)">Run this search</a>', one.text)
    assert run
    ran = client.get(unescape(run.group(1)))

    assert "libya-italy-boats" in listing.text and "forged-passports" in listing.text
    assert "Alert: forged-passports &lt;script&gt;" in one.text and f'href="/adverts/{advert}"' in one.text
    assert ran.status_code == 200 and HIT.findall(ran.text)
    assert set(HIT.findall(ran.text)) <= set(
        HIT.findall(client.get("/search?q=passport&document=passport").text)
    )


class _WatchedGate(SearchGate):
    """The app's search gate, noting the most searches it ever let through at once."""

    most = 0

    async def acquire(self) -> None:
        await super().acquire()
        self.most = max(self.most, self.running)


def test_concurrent_searches_pass_the_gate_one_at_a_time_and_all_answer(
    make_web_app: Callable[..., FastAPI],
) -> None:
    app = make_web_app(search_slots=1)
    gate = _WatchedGate(1)
    app.state.web.search_gate = gate
    queries = [
        "q=boat",
        "origin=LY&destination=IT",
        "q=%D8%AC%D9%88%D8%A7%D8%B2",
        "sort=date",
        "collapse=1",
    ] * 2
    # One TestClient in a `with` block: every request runs on the same event loop, as in a worker.
    with TestClient(app) as client:
        login(client, "olga")
        alone = {query: api(client, query)["total"] for query in set(queries)}
        with ThreadPoolExecutor(len(queries)) as pool:
            together = list(pool.map(lambda query: (query, api(client, query)["total"]), queries))
        searches = audit_of(app, "search")  # the stores close with the block (the app's lifespan)

    assert together == [(query, alone[query]) for query in queries]
    assert gate.most == 1 and gate.running == 0 and gate.waiting == 0
    assert len(searches) == len(alone) + len(queries)
