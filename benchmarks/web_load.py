"""The web app under load: the search page and the search API, 50 concurrent clients on loopback.

Run: ``.venv/bin/python benchmarks/web_load.py [--es http://127.0.0.1:9254] [--index ALIAS | --count 50000]
[--clients 50] [--duration 60] [--workers 1]``

With ``--index`` it searches an existing adverts alias (e.g. the 1,000,000-advert index the
indexer benchmark leaves when run with its own node kept); otherwise it generates ``--count``
adverts from the labelled corpus (the indexer benchmark's generator) and indexes them through
the spool and the drain into ``bench-web-adverts``, which later runs reuse. The app runs under
uvicorn in a child process (its own accounts and audit log in a temporary folder, every
request audited as in production); each client logs in once through the login form, then
sends searches back to back, mixing Arabic, Persian, English, Turkish and German words with
filters and sort orders. Two phases of ``--duration`` seconds: the HTML search page, then the
JSON API. Prints requests/s, p50/p95/p99 latency and errors per phase; asserts nothing.
Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import re
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import aiohttp
from elasticsearch import Elasticsearch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.bulk import Drainer, DrainOptions  # noqa: E402 (after the path set-up)
from indexer.dedup import NearDuplicates  # noqa: E402
from indexer.spool import Spool  # noqa: E402
from indexer.templates import IndexNames, ensure_adverts_index  # noqa: E402

USER, PASSWORD = "bench", "load test passphrase 2026"
QUERIES = [
    "جواز سفر", "تهريب", "قارب", "پاسپورت", "قاچاق", "passport", "boat", "visa", "Italy", "pasaport",
    "Reisepass", "bateau", "Lampedusa", "", "",
]  # fmt: skip
FILTERS = [
    {}, {"lang": "ar"}, {"origin": "LY"}, {"destination": "IT"}, {"origin": "TR", "destination": "GR"},
    {"document": "passport"}, {"transport": "boat"}, {"sort": "date"}, {"collapse": "1"},
    {"price_min": "1000", "price_max": "5000"}, {"since": "2026-09-01", "until": "2026-10-31"},
]  # fmt: skip
LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')


def loopback(url: str) -> str:
    if urlsplit(url).hostname != "127.0.0.1":
        raise SystemExit(f"{url} is not on 127.0.0.1: this benchmark talks to loopback only")
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --------------------------------------------------------------------------- the index


def ensure_index(client: Elasticsearch, count: int, state: Path) -> tuple[str, int]:
    """``bench-web-adverts`` with at least ``count`` adverts, generated and indexed when short of that."""
    from benchmarks.bulk_index import generate_items

    names = IndexNames("bench-web")
    ensure_adverts_index(client, names)
    have = int(client.count(index=names.alias)["count"])
    if have >= count:
        print(f"index {names.alias}: {have:,} adverts already there, reused")
        return names.alias, have
    print(f"index {names.alias}: generating and indexing {count - have:,} adverts (spool + drain) ...")
    started = time.monotonic()
    spool = Spool(state / "spool.sqlite")
    store = NearDuplicates(state / "near-duplicates.sqlite", 0.8)
    try:
        batch: list[dict[str, object]] = []
        for number, item in enumerate(generate_items(count, seed=11)):
            if number < have:
                continue
            item["id"] = f"bench-web-{number}"
            batch.append(item)
            if len(batch) == 5000:
                spool.put_many(batch)
                batch.clear()
                Drainer(client, names.alias, spool, store, options=DrainOptions(refresh=False)).run()
        spool.put_many(batch)
        Drainer(client, names.alias, spool, store, options=DrainOptions(refresh=True)).run()
    finally:
        store.close()
        spool.close()
    total = int(client.count(index=names.alias)["count"])
    print(f"  indexed in {time.monotonic() - started:.0f} s; {total:,} adverts")
    return names.alias, total


# --------------------------------------------------------------------------- the server


def serve(es_url: str, alias: str, state: str, port: int) -> None:
    """Child process: the app under uvicorn (one process; the default thread pool)."""
    import uvicorn

    from web.app import create_app
    from web.settings import WebSettings

    folder = Path(state)
    settings = WebSettings(
        alias=alias,
        state_dir=folder / "web",
        pins_path=folder / "pins.sqlite",
        index_lock_path=folder / "indexer.lock",
        evidence_dir=folder / "evidence",
        ledger_path=folder / "alerts.sqlite",
        secure_cookies=False,  # plain http on loopback; the client sends the cookie itself
    )
    client = Elasticsearch(es_url, request_timeout=60, connections_per_node=64)
    uvicorn.run(create_app(settings, client), host="127.0.0.1", port=port, log_level="warning")


def add_user(state: Path) -> None:
    from web.accounts import Accounts

    accounts = Accounts(state / "web" / "accounts.sqlite")
    try:
        accounts.add(USER, "officer", PASSWORD)
    finally:
        accounts.close()


def wait_for(url: str, deadline_s: float = 60.0) -> None:
    import urllib.request

    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/login", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the web app did not answer at {url}")


# --------------------------------------------------------------------------- the load


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def report(self) -> str:
        done = len(self.latencies)
        if not done:
            return f"{self.name}: no request completed; errors {self.errors} {self.statuses}"
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return ordered[min(done - 1, int(p * done))] * 1000

        return (
            f"{self.name:<12} {done:>7,} requests in {self.seconds:.0f} s "
            f"= {done / self.seconds:7.1f} req/s | "
            f"p50 {pct(0.50):6.0f} ms  p95 {pct(0.95):6.0f} ms  p99 {pct(0.99):6.0f} ms  "
            f"mean {statistics.fmean(ordered) * 1000:6.0f} ms | errors {self.errors} {self.statuses or ''}"
        )


async def login(session: aiohttp.ClientSession, base: str) -> str:
    async with session.get(base + "/login") as page:
        html = await page.text()
        login_cookie = page.cookies["sr_login"].value
    token = LOGIN_TOKEN.search(html)
    if token is None:
        raise SystemExit("no login form")
    form = {"name": USER, "password": PASSWORD, "login_token": token.group(1)}
    async with session.post(
        base + "/login", data=form, allow_redirects=False, headers={"Cookie": f"sr_login={login_cookie}"}
    ) as answer:
        if answer.status != 303:
            raise SystemExit(f"login failed: HTTP {answer.status}")
        return f"sr_session={answer.cookies['sr_session'].value}"


def random_search(rng: random.Random) -> str:
    params = {"q": rng.choice(QUERIES), **rng.choice(FILTERS)}
    return urlencode({k: v for k, v in params.items() if v})


async def client_loop(base: str, path: str, cookie: str, phase: Phase, stop: float, seed: int) -> None:
    rng = random.Random(seed)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()) as session:
        while time.monotonic() < stop:
            url = f"{base}{path}?{random_search(rng)}"
            started = time.monotonic()
            try:
                async with session.get(url, headers={"Cookie": cookie}, allow_redirects=False) as answer:
                    await answer.read()
                    status = answer.status
            except (aiohttp.ClientError, TimeoutError) as error:
                phase.errors += 1
                phase.statuses[type(error).__name__] = phase.statuses.get(type(error).__name__, 0) + 1
                continue
            if status == 200:
                phase.latencies.append(time.monotonic() - started)
            else:
                phase.errors += 1
                phase.statuses[str(status)] = phase.statuses.get(str(status), 0) + 1


async def run_load(base: str, clients: int, duration: float) -> list[Phase]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        cookies = [await login(session, base) for _ in range(clients)]
    phases = []
    for name, path in (("search page", "/search"), ("search API", "/api/search")):
        phase = Phase(name)
        started = time.monotonic()
        stop = started + duration
        await asyncio.gather(*(client_loop(base, path, cookies[n], phase, stop, n) for n in range(clients)))
        phase.seconds = time.monotonic() - started
        print(phase.report(), flush=True)
        phases.append(phase)
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--es", default=os.environ.get("SMOKKELRADAR_TEST_ES_URL", "http://127.0.0.1:9254"))
    parser.add_argument("--index", help="an existing adverts alias to search (else one is generated)")
    parser.add_argument(
        "--count", type=int, default=50_000, help="adverts to generate when --index is not given"
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per phase")
    args = parser.parse_args()
    es_url = loopback(args.es.rstrip("/"))
    client = Elasticsearch(es_url, request_timeout=120)
    with tempfile.TemporaryDirectory(prefix="web-load-") as folder:
        state = Path(folder)
        if args.index:
            alias, adverts = args.index, int(client.count(index=args.index)["count"])
            print(f"index {alias}: {adverts:,} adverts (given)")
        else:
            alias, adverts = ensure_index(client, args.count, state)
        client.close()
        add_user(state)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = multiprocessing.get_context("spawn").Process(
            target=serve, args=(es_url, alias, str(state), port), daemon=True
        )
        server.start()
        try:
            wait_for(base)
            print(
                f"{args.clients} clients, {args.duration:.0f} s per phase, {adverts:,} adverts, "
                f"{os.cpu_count()} CPUs"
            )
            asyncio.run(run_load(base, args.clients, args.duration))
        finally:
            server.terminate()
            server.join(30)
        import sqlite3

        audited = (
            sqlite3.connect(state / "web" / "audit.sqlite")
            .execute("SELECT COUNT(*) FROM audit")
            .fetchone()[0]
        )
        print(f"audit log: {audited:,} entries written during the run")


if __name__ == "__main__":
    main()
