"""The web app under load: the search page and the search API, 50 concurrent clients on loopback.

Run: ``.venv/bin/python benchmarks/web_load.py [--es http://127.0.0.1:9254] [--index ALIAS | --count 50000]
[--clients 50] [--duration 60] [--workers 2] [--workers 1,2] [--fresh] [--phases page,api]``

With ``--index`` it searches an existing adverts alias (read only; it must be named
``<prefix>-adverts``, e.g. ``bench-search-adverts``, the 1,000,000-advert index of the indexer
benchmark); otherwise it generates ``--count`` adverts from the labelled corpus (the indexer
benchmark's generator) and indexes them through the spool and the drain into
``bench-web-adverts``, which later runs reuse.

The app runs as in production: ``smokkelradar web --workers N`` in a child process, with a
radar.yaml, accounts and audit log in a temporary folder (every request audited, the audit
log on disk with synchronous=FULL). Each client logs in once through the login form, then
sends searches back to back, mixing Arabic, Persian, English, Turkish and German words with
filters and sort orders. Two phases of ``--duration`` seconds: the HTML search page, then the
JSON API (``--phases api`` runs one of them). Prints requests/s, p50/p95/p99 latency, errors,
the load average, the CPU time each party used per request and the spread of the clients' mean
latencies per phase (clients that never pause get about the same mean from a fair server; two
groups of means show keep-alive connections split unevenly between workers), then checks the
audit log (one entry per request, the hash chain intact across the workers); asserts nothing.
The mix has 165 distinct searches, whose totals and facets Elasticsearch's
request cache soon answers; ``--fresh`` gives every search a different far-future end date
(same results, new to the cache), as varied officers' searches would be. ``--workers 1,2``
runs the whole thing once per worker count, side by side. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import statistics
import subprocess
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
# The phases, in the order they run: the HTML search page, then the JSON API.
PHASES = (("search page", "/search"), ("search API", "/api/search"))
PHASE_OPTIONS = {"page": "search page", "api": "search API"}
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


def write_config(folder: Path, es_url: str, alias: str) -> Path:
    """A radar.yaml whose adverts alias is ``alias`` (``<prefix>-adverts``); state under ``folder``.

    The web tests' complete configuration (one feed source that is never crawled, two saved
    searches, one keyword file), pointed at the benchmark's node and alias.
    """
    from tests.unit.web.support import write_config as write_test_config

    prefix = alias.removesuffix("-adverts")
    if prefix == alias:
        raise SystemExit(f"--index {alias}: the alias must be named <prefix>-adverts")
    return write_test_config(folder, es_url=es_url, prefix=prefix)


def add_user(radar_yaml: Path) -> Path:
    """The benchmark's officer account; returns the web state folder."""
    from radar.config.loader import load_config
    from web.accounts import Accounts
    from web.settings import WebSettings

    settings = WebSettings.from_config(load_config(radar_yaml))
    accounts = Accounts(settings.accounts_path)
    try:
        accounts.add(USER, "officer", PASSWORD)
    finally:
        accounts.close()
    return settings.state_dir


def start_server(radar_yaml: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    """``smokkelradar web`` as an officer would start it (plain http: loopback only)."""
    command = [sys.executable, "-m", "radar", "web", "-c", str(radar_yaml), "--port", str(port),
               "--workers", str(workers), "--insecure-cookies"]  # fmt: skip
    return subprocess.Popen(command, cwd=REPO, start_new_session=True)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)  # uvicorn's supervisor stops its workers, then itself
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)


def wait_for(url: str, deadline_s: float = 120.0) -> None:
    import urllib.request

    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/login", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the web app did not answer at {url}")


# --------------------------------------------------------------------------- CPU accounting


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # the fields after "(command name)"


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of ``root`` and its descendants (the web workers), from /proc."""
    children: dict[int, list[int]] = {}
    fields: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            fields[int(entry.name)] = stat
            children.setdefault(int(stat[1]), []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in fields:
            total += int(fields[pid][11]) + int(fields[pid][12])  # utime, stime (clock ticks)
        todo.extend(children.get(pid, ()))
    return total / os.sysconf("SC_CLK_TCK")


def es_cpu_seconds(client: Elasticsearch) -> float:
    """CPU seconds the Elasticsearch node has used (its own process statistics; a read)."""
    nodes = client.nodes.stats(node_id="_local", metric="process")["nodes"]
    return sum(float(node["process"]["cpu"]["total_in_millis"]) for node in nodes.values()) / 1000


@dataclass
class CpuMeter:
    server: int  # pid of `smokkelradar web`
    es: Elasticsearch

    def read(self) -> dict[str, float]:
        return {
            "web": tree_cpu_seconds(self.server),
            "Elasticsearch": es_cpu_seconds(self.es),
            "load generator": time.process_time(),
        }


# --------------------------------------------------------------------------- the load


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    by_client: dict[int, list[float]] = field(default_factory=dict)  # the latencies of each client
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)  # load average at the end of the phase
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds used during the phase, by whom

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
            f" | load average {self.load[0]:.2f} {self.load[1]:.2f} {self.load[2]:.2f}"
            + "\n             CPU per request: "
            + ", ".join(f"{who} {seconds / done * 1000:.1f} ms" for who, seconds in self.cpu.items())
            + "\n             "
            + self.fairness()
        )

    def fairness(self) -> str:
        """How evenly the clients were served: the spread of their mean latencies.

        With clients that never pause, a fair server gives every client about the same mean; a
        wide spread (some connections served slower than others) shows up as a high p95.
        """
        means = sorted(statistics.fmean(times) * 1000 for times in self.by_client.values() if times)
        if not means:
            return "per-client mean latency: no client finished a request"
        return (
            f"per-client mean latency: min {means[0]:.0f} ms, median {statistics.median(means):.0f} ms, "
            f"max {means[-1]:.0f} ms ({len(means)} clients)"
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


def random_search(rng: random.Random, fresh: bool = False) -> str:
    params = {"q": rng.choice(QUERIES), **rng.choice(FILTERS)}
    if fresh and "until" not in params:
        # An end date years ahead changes no result but makes every search new to Elasticsearch,
        # so its request cache cannot answer the totals and facets of a search seen before.
        params["until"] = f"{rng.randint(2030, 2099)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return urlencode({k: v for k, v in params.items() if v})


async def client_loop(
    base: str, path: str, cookie: str, phase: Phase, stop: float, seed: int, fresh: bool
) -> None:
    rng = random.Random(seed)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()) as session:
        while time.monotonic() < stop:
            url = f"{base}{path}?{random_search(rng, fresh)}"
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
                phase.by_client.setdefault(seed, []).append(phase.latencies[-1])
            else:
                phase.errors += 1
                phase.statuses[str(status)] = phase.statuses.get(str(status), 0) + 1


async def run_load(
    base: str,
    clients: int,
    duration: float,
    meter: CpuMeter,
    fresh: bool = False,
    wanted: tuple[str, ...] = tuple(name for name, _ in PHASES),
) -> list[Phase]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        cookies = [await login(session, base) for _ in range(clients)]
    phases = []
    for name, path in PHASES:
        if name not in wanted:
            continue
        phase = Phase(name)
        cpu_before = meter.read()
        started = time.monotonic()
        stop = started + duration
        await asyncio.gather(
            *(client_loop(base, path, cookies[n], phase, stop, n, fresh) for n in range(clients))
        )
        phase.seconds = time.monotonic() - started
        phase.cpu = {who: used - cpu_before[who] for who, used in meter.read().items()}
        phase.load = os.getloadavg()
        print(phase.report(), flush=True)
        phases.append(phase)
    return phases


def run_once(es_url: str, alias: str, adverts: int, workers: int, args: argparse.Namespace) -> None:
    """One server with ``workers`` processes, both phases, then the audit log checked."""
    from web.audit import AuditLog

    with tempfile.TemporaryDirectory(prefix="web-load-") as folder:
        radar_yaml = write_config(Path(folder), es_url, alias)
        state_dir = add_user(radar_yaml)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(radar_yaml, port, workers)
        try:
            wait_for(base)
            load = os.getloadavg()
            print(
                f"--- smokkelradar web --workers {workers}: {args.clients} clients, "
                f"{args.duration:.0f} s per phase, {adverts:,} adverts, {os.cpu_count()} CPUs, "
                f"load average before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
                flush=True,
            )
            es = Elasticsearch(es_url, request_timeout=30)
            try:
                meter = CpuMeter(server.pid, es)
                wanted = tuple(PHASE_OPTIONS[name] for name in args.phases.split(","))
                phases = asyncio.run(run_load(base, args.clients, args.duration, meter, args.fresh, wanted))
            finally:
                es.close()
        finally:
            stop_server(server)
        audit = AuditLog(state_dir / "audit.sqlite")
        try:
            entries, broken = audit.count(), audit.verify()
        finally:
            audit.close()
        answered = sum(len(p.latencies) + p.errors for p in phases) + args.clients  # + the logins
        print(
            f"audit log: {entries:,} entries for about {answered:,} requests; chain "
            + ("intact" if broken is None else f"BROKEN at entry {broken}"),
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--es", default=os.environ.get("SMOKKELRADAR_TEST_ES_URL", "http://127.0.0.1:9254"))
    parser.add_argument("--index", help="an existing adverts alias <prefix>-adverts to search (read only)")
    parser.add_argument(
        "--count", type=int, default=50_000, help="adverts to generate when --index is not given"
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per phase")
    parser.add_argument("--workers", default="2", help="web worker processes; a list (1,2) runs each in turn")
    parser.add_argument(
        "--fresh", action="store_true", help="make every search new to Elasticsearch (no request cache hits)"
    )
    parser.add_argument(
        "--phases", default="page,api", help="which phases to run: page, api or both (page,api; the default)"
    )
    args = parser.parse_args()
    if not args.phases or any(name not in PHASE_OPTIONS for name in args.phases.split(",")):
        parser.error(f"--phases: a comma-separated list of {', '.join(PHASE_OPTIONS)}")
    es_url = loopback(args.es.rstrip("/"))
    client = Elasticsearch(es_url, request_timeout=120)
    try:
        if args.index:
            alias, adverts = args.index, int(client.count(index=args.index)["count"])
            print(f"index {alias}: {adverts:,} adverts (given, read only)")
        else:
            with tempfile.TemporaryDirectory(prefix="web-load-index-") as folder:
                alias, adverts = ensure_index(client, args.count, Path(folder))
    finally:
        client.close()
    for workers in (int(n) for n in args.workers.split(",")):
        run_once(es_url, alias, adverts, workers, args)


if __name__ == "__main__":
    main()
