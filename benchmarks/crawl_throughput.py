"""Crawl throughput and memory: the full crawl against a bare Scrapy spider on the same pages.

Run: ``.venv/bin/python benchmarks/crawl_throughput.py [--adverts 2000] [--rendered 0] [--context-pages N]``

A generated classifieds site (``--adverts`` advert pages, 20 links per listing page) is served
by aiohttp on 127.0.0.1 (``python -m http.server`` is far too slow for this). Then, in one run:

  full   ``scrapy crawl listing`` with our whole stack: SSRF guard, robots.txt, conditional
         requests, field extraction, dates, enrichment (spaCy pipeline), evidence off, spool
  bare   a Scrapy spider that only downloads the same URLs, twice: with Scrapy's defaults
         (CONCURRENT_ITEMS 100) and with the CONCURRENT_ITEMS our crawl of this source uses
         (1: one advert per page; Scrapy 2.19 starts that many tasks per response, which
         alone makes a crawl several times slower at 100)

All at 32 concurrent requests and no delay, in ``--rounds`` alternating rounds (the machine is
shared, so single runs are noisy); prints median pages/s, the ratios full / bare (target
>= 0.8) and the peak RSS of each crawl process (target <= 400 MB). Because wall-clock rates
on a shared machine say little about where time goes, it also prints the CPU time per page
of each process while crawling (start-up excluded): the bare spider's own, and the full crawl's
process and enrichment worker as the crawl writes them with its progress (CPU seconds taken at
the same moment as the page and advert counts), the worker's split into enrichment (with the
pipe) and the spool batches it writes. ``--profile DIR`` runs each full crawl under
cProfile (timing CPU time) and writes the profiles there.

``--rendered N`` adds the Playwright memory run: N advert pages rendered in headless Chromium
(``rendered`` spider); prints the memory (PSS) of the crawl's whole process tree (Python and
Chromium) every 50 pages and its peak (target <= 1.5 GB, no growth after the first 100 pages),
and at the same marks the PSS of each kind of process (the crawl, Playwright's node driver,
Chromium's browser, renderers, GPU and utility processes) to show which one grows, and how much
each grew from 100 pages to the last mark.
``--context-pages N [N ...]`` runs the rendered crawl once per ``PLAYWRIGHT_CONTEXT_PAGES`` value,
one after another in the same run (0: one browser context for the whole crawl).
Prints figures; asserts nothing; never part of the test suite. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PER_PAGE = 20
CONCURRENCY = 32
# --profile DIR: each full crawl's process runs under cProfile, its profile written there.
PROFILE_DIR: Path | None = None
# cProfile timing CPU time (not wall time: waiting for the network is not work), then Scrapy.
PROFILED = (
    "import cProfile, runpy, sys, time\n"
    "sys.argv[0] = 'scrapy'\n"
    "profile = cProfile.Profile(time.process_time)\n"
    "profile.enable()\n"
    "try:\n"
    "    runpy.run_module('scrapy', run_name='__main__', alter_sys=True)\n"
    "finally:\n"
    "    profile.disable()\n"
    "    profile.dump_stats({output!r})\n"
)

RADAR_YAML = """\
elasticsearch: {{url: "http://127.0.0.1:9"}}
smtp: {{host: 127.0.0.1, port: 2525, tls: none, sender: bench@test.invalid}}
mdt_mailbox: mdt@test.invalid
analysts_mailbox: analysts@test.invalid
user_agent: "smokkelradar-benchmark/0.1"
data: {{base: data}}
allowed_addresses: ["127.0.0.1"]
paths: {{sources: sources, keywords: "{keywords}", alerts: alerts}}
"""

SOURCES_YAML = """\
sources:
  - name: bench
    kind: listing
    start_urls: ["{base}/list?page=1"]
    selectors:
      links: "a.ad::attr(href)"
      next: "a.next::attr(href)"
      fields:
        title: "h1::text"
        body: "div.body"
        posted: "time::attr(datetime)"
        author: ".author::text"
        price: ".price::text"
        location: ".location::text"
    max_pages: 10000
    languages: [ar, fa, tr, en, fr, nl]
    politeness: {{concurrency: 16, delay: 0s}}
    evidence: false
  - name: bench-rendered
    kind: rendered
    start_urls: ["{base}/js/list?page=1"]
    wait_for: "div.ready"
    selectors:
      links: "a.ad::attr(href)"
      next: "a.next::attr(href)"
      fields:
        title: "h1::text"
        body: "div.body"
    max_pages: 1000
    politeness: {{concurrency: 4, delay: 0s}}
    evidence: false
"""


# ------------------------------------------------------------------------------- the site


def advert_texts() -> list[tuple[str, str]]:
    """Realistic advert texts: the demo corpus, which the enrichment has real work on."""
    from tests.sites.demoweb import load_corpus

    return [(e.title or e.text.split("\n")[0][:60], e.text) for e in load_corpus()]


class Site:
    """The generated site: listing pages, advert pages, and JavaScript twins of both."""

    def __init__(self, adverts: int) -> None:
        from html import escape

        self.adverts = adverts
        texts = advert_texts()
        self.pages: dict[int, bytes] = {}
        for n in range(adverts):
            title, text = texts[n % len(texts)]
            body = "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())
            self.pages[n] = (
                f"<html><head><meta charset='utf-8'><title>{escape(title)}</title></head><body>"
                f"<h1>{escape(title)} #{n}</h1><span class='author'>user{n % 97}</span>"
                f"<time datetime='2026-10-{1 + n % 28:02d}T12:00:00Z'>Oct</time>"
                f"<span class='price'>{1000 + n} EUR</span><span class='location'>Zuwara</span>"
                f"<div class='body'>{body}<p>ref {n}</p></div></body></html>"
            ).encode()
        self.listing_pages = -(-adverts // PER_PAGE)

    def listing(self, page: int, prefix: str) -> bytes:
        links = "".join(
            f"<li><a class='ad' href='{prefix}/ad/{n}'>advert {n}</a></li>"
            for n in range((page - 1) * PER_PAGE, min(page * PER_PAGE, self.adverts))
        )
        more = (
            f"<a class='next' href='{prefix}/list?page={page + 1}'>next</a>"
            if page < self.listing_pages
            else ""
        )
        return f"<html><body><ul>{links}</ul>{more}</body></html>".encode()

    @staticmethod
    def rendered_twin(markup: bytes) -> bytes:
        """The same page, built by a script (and marked ready) instead of served as HTML."""
        payload = json.dumps(markup.decode())
        script = (
            "<script>document.addEventListener('DOMContentLoaded',()=>{"
            f"document.getElementById('app').innerHTML={payload};"
            "const r=document.createElement('div');r.className='ready';"
            "document.body.appendChild(r);});</script>"
        )
        page = f"<html><head><meta charset='utf-8'>{script}</head><body><div id='app'></div></body></html>"
        return page.encode()

    def urls(self, base: str) -> list[str]:
        return [f"{base}/list?page={p}" for p in range(1, self.listing_pages + 1)] + [
            f"{base}/ad/{n}" for n in range(self.adverts)
        ]


def serve(site: Site) -> tuple[str, threading.Event]:
    from aiohttp import web

    async def listing(request: web.Request) -> web.Response:
        page = int(request.query.get("page", "1"))
        return web.Response(body=site.listing(page, ""), content_type="text/html", charset="utf-8")

    async def advert(request: web.Request) -> web.Response:
        return web.Response(
            body=site.pages[int(request.match_info["n"])], content_type="text/html", charset="utf-8"
        )

    async def js_listing(request: web.Request) -> web.Response:
        body = site.rendered_twin(site.listing(int(request.query.get("page", "1")), "/js"))
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    async def js_advert(request: web.Request) -> web.Response:
        body = site.rendered_twin(site.pages[int(request.match_info["n"])])
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    async def robots(request: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nDisallow: /private/\n")

    app = web.Application()
    app.add_routes(
        [
            web.get("/robots.txt", robots),
            web.get("/list", listing),
            web.get(r"/ad/{n:\d+}", advert),
            web.get("/js/list", js_listing),
            web.get(r"/js/ad/{n:\d+}", js_advert),
        ]
    )
    ready, stop = threading.Event(), threading.Event()
    address: list[str] = []

    def run() -> None:
        async def main() -> None:
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            server = web.TCPSite(runner, "127.0.0.1", 0)
            await server.start()
            port = runner.addresses[0][1]
            address.append(f"http://127.0.0.1:{port}")
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.2)
            await runner.cleanup()

        asyncio.run(main())

    threading.Thread(target=run, daemon=True).start()
    ready.wait(30)
    return address[0], stop


# ------------------------------------------------------------------------------- the crawls


def run_child(command: list[str], env: dict[str, str], sample: Any = None) -> tuple[int, float]:
    """Run a crawl process; returns (exit status, peak RSS of the process in MB, from wait4)."""
    child = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr.append(child.stderr.read() if child.stderr else b""))
    reader.start()
    if sample is not None:
        sample(child.pid)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    if child.returncode != 0:
        print(b"".join(stderr).decode(errors="replace")[-3000:], file=sys.stderr)
    return child.returncode, usage.ru_maxrss / 1024


def full_crawl(
    workdir: Path, env: dict[str, str], source: str = "bench", **extra: Any
) -> tuple[dict[str, Any], float]:
    from crawlers.runner import crawl_command

    report = workdir / f"report-{source}.json"
    sampler = extra.pop("_sampler", None)
    settings = {
        "REPORT_FILE": report,
        "REPORT_PROGRESS_FILE": workdir / f"progress-{source}.json",
        "CONCURRENT_REQUESTS": CONCURRENCY,
        "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "REPORT_PROGRESS_INTERVAL": 0.1,
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    kind = "rendered" if source == "bench-rendered" else "listing"
    command = crawl_command(kind, source, workdir / "radar.yaml", settings)
    if PROFILE_DIR is not None:  # the crawl process under cProfile (its CPU figures then include it)
        PROFILE_DIR.mkdir(parents=True, exist_ok=True)
        output = PROFILE_DIR / f"crawl-{source}-{time.strftime('%H%M%S')}.prof"
        command[1:3] = ["-c", PROFILED.format(output=str(output))]
    code, rss = run_child(command, env, sampler)
    if code != 0:
        raise SystemExit(f"full crawl failed with exit status {code}")
    return json.loads(report.read_text()), rss


def bare_crawl(
    workdir: Path, urls: list[str], env: dict[str, str], concurrent_items: int
) -> tuple[dict[str, Any], float]:
    url_file = workdir / "urls.json"
    url_file.write_text(json.dumps(urls))
    stats_file = workdir / "bare-stats.json"
    command = [
        sys.executable,
        __file__,
        "--bare-child",
        str(url_file),
        str(stats_file),
        str(concurrent_items),
    ]
    code, rss = run_child(command, env)
    if code != 0:
        raise SystemExit(f"bare crawl failed with exit status {code}")
    return json.loads(stats_file.read_text()), rss


def bare_child(url_file: str, stats_file: str, concurrent_items: str) -> None:
    """The bare spider: Scrapy's defaults, no parsing, no pipelines; only downloads."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    urls = json.loads(Path(url_file).read_text())

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self) -> Any:
            self.cpu_at_start = time.process_time()  # start-up (imports) excluded
            for url in urls:
                yield scrapy.Request(url, callback=self.parse)

        def parse(self, response: Any) -> Iterator[Any]:
            return iter(())

        def closed(self, reason: str) -> None:
            stats = self.crawler.stats.get_stats()
            Path(stats_file).write_text(
                json.dumps(
                    {
                        "pages": stats.get("response_received_count", 0),
                        "elapsed_seconds": (datetime.now(UTC) - stats["start_time"]).total_seconds(),
                        "cpu_seconds": time.process_time() - self.cpu_at_start,
                    }
                )
            )

    process = CrawlerProcess(
        {
            "LOG_LEVEL": "WARNING",
            "REMOTE_CONTROL_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "CONCURRENT_REQUESTS": CONCURRENCY,
            "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_ITEMS": int(concurrent_items),
        }
    )
    process.crawl(Bare)
    process.start()


def tree_pss_kb(pid: int) -> Iterator[tuple[int, int]]:
    """(pid, PSS in kB) of a process and all its descendants (the crawl, its enrichment worker,
    Chromium). PSS (proportional set size): pages shared between processes count once in the
    sum, so the many Chromium processes' shared libraries are not added up several times as RSS
    would."""
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        yield current, sum(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))


def tree_pss_mb(pid: int) -> float:
    """Memory of a process tree (``tree_pss_kb`` summed), MB."""
    return sum(kb for _, kb in tree_pss_kb(pid)) / 1024


def process_kind(pid: int, root: int) -> str:
    """Which part of the rendered crawl a process is: the crawl itself, Playwright's driver, or
    one of Chromium's processes (by its ``--type=``; the browser process has none)."""
    if pid == root:
        return "crawl (python)"
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    program = Path(argv[0].split(b" ")[0].decode(errors="replace")).name
    if program == "node" or any(b"playwright" in a and b"cli.js" in a for a in argv):
        return "playwright driver (node)"
    if "chrom" not in program:
        return program or "other"
    # Chromium rewrites its command line into one space-separated string: split on both.
    for arg in b" ".join(argv).split():
        if arg.startswith(b"--type="):
            return f"chromium {arg.split(b'=', 1)[1].decode(errors='replace')}"
    return "chromium browser"


def tree_pss_by_kind(pid: int) -> dict[str, float]:
    """``tree_pss_mb`` split by process kind (MB), with the number of processes of each kind."""
    totals: dict[str, float] = {}
    for current, kb in tree_pss_kb(pid):
        kind = process_kind(current, pid)
        totals[kind] = totals.get(kind, 0.0) + kb / 1024
        totals[f"#{kind}"] = totals.get(f"#{kind}", 0.0) + 1
    return totals


def tree_sampler(samples: list[float], progress_seen: list[dict[str, Any]], progress: Path) -> Any:
    """A sampler for ``run_child``: every second the process tree's PSS, and every 0.1 s the
    crawl's progress file (pages, adverts enriched, and the CPU seconds of the crawl process and
    of its enrichment worker, as the crawl itself wrote them at that moment)."""

    def sample(pid: int) -> None:
        def loop() -> None:
            tick = 0
            while Path(f"/proc/{pid}").exists():
                if tick % 10 == 0:  # reading smaps costs the machine CPU: memory once a second
                    samples.append(tree_pss_mb(pid))
                tick += 1
                with contextlib.suppress(OSError, ValueError):  # not written yet, or being written
                    progress_seen.append(json.loads(progress.read_text()))
                time.sleep(0.1)

        threading.Thread(target=loop, daemon=True).start()

    return sample


def rendered_run(workdir: Path, env: dict[str, str], context_pages: int | None = None) -> None:
    samples: list[tuple[int, float]] = []
    by_kind: list[tuple[int, dict[str, float]]] = []
    progress = workdir / "progress-bench-rendered.json"

    def sample(pid: int) -> None:
        def loop() -> None:
            while Path(f"/proc/{pid}").exists():
                try:
                    pages = json.loads(progress.read_text()).get("pages", 0)
                except (OSError, ValueError):
                    pages = 0
                kinds = tree_pss_by_kind(pid)
                samples.append((pages, sum(v for k, v in kinds.items() if not k.startswith("#"))))
                by_kind.append((pages, kinds))
                time.sleep(0.5)

        threading.Thread(target=loop, daemon=True).start()

    # The browser context's pages (PLAYWRIGHT_CONTEXT_PAGES) as the crawl sets it, or as given.
    extra: dict[str, Any] = {} if context_pages is None else {"PLAYWRIGHT_CONTEXT_PAGES": context_pages}
    shutil.rmtree(workdir / "data", ignore_errors=True)  # a fresh spool and state for each run
    progress.unlink(missing_ok=True)
    report, _ = full_crawl(workdir, env, "bench-rendered", ENRICH_ENABLED=False, _sampler=sample, **extra)
    pages = report["pages_fetched"]
    if report["errors"] or not pages:
        print(f"rendered run: errors {report['errors']}, notes {report['notes']}, drift {report['drift']}")
    setting = "as configured" if context_pages is None else f"PLAYWRIGHT_CONTEXT_PAGES={context_pages}"
    print(
        f"\nrendered ({setting}): {pages} pages in {report['elapsed_seconds']:.1f} s "
        f"({pages / report['elapsed_seconds']:.1f} pages/s)"
    )
    print(f"  peak memory (PSS) of crawl + Chromium: {max(rss for _, rss in samples):.0f} MB")
    for mark in range(50, pages + 1, 50):
        near = [rss for done, rss in samples if mark <= done < mark + 50]
        if near:
            print(f"  after {mark:>4} pages: {max(near):.0f} MB")
    # The same marks split by process kind (the sample with the largest total near each mark),
    # to tell which process grows: the crawl, Playwright's driver, or which Chromium process.
    kinds = sorted({k for _, seen in by_kind for k in seen if not k.startswith("#")})
    print("  PSS by process kind (MB; processes of that kind in brackets):")
    print("    " + " | ".join(f"{k}" for k in ["pages", *kinds]))
    at_mark: dict[int, dict[str, float]] = {}
    for mark in range(50, pages + 1, 50):
        near_kinds = [seen for done, seen in by_kind if mark <= done < mark + 50]
        if near_kinds:
            top = max(near_kinds, key=lambda seen: sum(v for k, v in seen.items() if not k.startswith("#")))
            at_mark[mark] = top
            cells = [f"{top.get(k, 0.0):.0f} [{top.get('#' + k, 0.0):.0f}]" for k in kinds]
            print(f"    {mark:>5} | " + " | ".join(cells))
    # The criterion: no growth after the first 100 pages, per kind and in all.
    last = max(at_mark, default=0)
    if 100 in at_mark and last > 100:
        first, end = at_mark[100], at_mark[last]
        growth = ", ".join(f"{k} {end.get(k, 0.0) - first.get(k, 0.0):+.0f}" for k in kinds)
        total = sum(end.get(k, 0.0) - first.get(k, 0.0) for k in kinds)
        print(f"  growth from 100 to {last} pages (MB): {total:+.0f} in all; {growth}")


def steady_cpu_per_page(progress_seen: list[dict[str, Any]], final: Path) -> tuple[float, float, float]:
    """CPU ms per page of the crawl process, from its first page counted to the end of the crawl
    (start-up excluded), CPU ms per advert of its enrichment worker (building the pipeline
    excluded), and how much of the worker's went into writing spool batches, all from the figures
    the crawl writes with its progress."""
    nan = float("nan")
    try:
        last = json.loads(final.read_text())  # written once more when the spider closed
    except (OSError, ValueError):
        return nan, nan, nan
    started = [p for p in progress_seen if p.get("pages", 0) > 0 and "cpu_seconds" in p]
    if not started or last["pages"] <= started[0]["pages"]:
        return nan, nan, nan
    first = started[0]
    own = 1000 * (last["cpu_seconds"] - first["cpu_seconds"]) / (last["pages"] - first["pages"])
    enriched = last["enriched"]
    worker = 1000 * last["worker_cpu_seconds"] / enriched if enriched else nan
    store = 1000 * last.get("worker_store_cpu_seconds", nan) / enriched if enriched else nan
    return own, worker, store


def throughput(workdir: Path, site: Site, base: str, env: dict[str, str], rounds: int) -> None:
    from crawlers.source_settings import items_per_response, load_source

    ours = items_per_response(load_source(workdir / "radar.yaml", "bench", "listing").source)
    bares = (("bare, Scrapy defaults", 100), (f"bare, CONCURRENT_ITEMS {ours} (ours)", ours))
    rates: dict[str, list[float]] = {name: [] for name in [*(name for name, _ in bares), "full"]}
    worker_rows = ["full: enrichment worker", "  of it enrichment", "  of it spool writes"]
    cpu_ms: dict[str, list[float]] = {name: [] for name in [*rates, *worker_rows]}
    # This process serves the site (aiohttp) and samples the crawl: its CPU per page, during each crawl.
    server_ms: dict[str, list[float]] = {name: [] for name in rates}
    peaks: dict[str, float] = dict.fromkeys(rates, 0.0)
    spooled = enriched = 0
    for _ in range(rounds):
        for name, items in bares:
            served = time.process_time()
            bare, rss = bare_crawl(workdir, site.urls(base), env, items)
            server_ms[name].append(1000 * (time.process_time() - served) / max(bare["pages"], 1))
            rates[name].append(bare["pages"] / bare["elapsed_seconds"])
            cpu_ms[name].append(1000 * bare["cpu_seconds"] / max(bare["pages"], 1))
            peaks[name] = max(peaks[name], rss)
        shutil.rmtree(workdir / "data", ignore_errors=True)  # a fresh spool and state each round
        tree: list[float] = []
        progress_seen: list[dict[str, Any]] = []
        progress = workdir / "progress-bench.json"
        progress.unlink(missing_ok=True)  # the last round's count must not be read as this one's
        sampler = tree_sampler(tree, progress_seen, progress)
        served = time.process_time()
        full, rss = full_crawl(workdir, env, _sampler=sampler)
        server_ms["full"].append(1000 * (time.process_time() - served) / max(full["pages_fetched"], 1))
        rates["full"].append(full["pages_fetched"] / full["elapsed_seconds"])
        own, workers, stores = steady_cpu_per_page(progress_seen, progress)
        cpu_ms["full"].append(own)
        cpu_ms["full: enrichment worker"].append(workers)
        cpu_ms["  of it enrichment"].append(workers - stores)  # with the pipe's share
        cpu_ms["  of it spool writes"].append(stores)
        peaks["full"] = max(peaks["full"], rss)
        peaks["tree"] = max(peaks.get("tree", 0.0), *tree, 0.0)
        spooled, enriched = full["adverts"]["new"], full["enriched"]
    print(
        f"site: {site.adverts} adverts on {site.listing_pages} listing pages "
        f"({site.adverts + site.listing_pages} pages)"
    )
    print(f"served by aiohttp at {base}; {rounds} rounds; full crawl spooled {spooled}, enriched {enriched}")
    medians = {name: statistics.median(values) for name, values in rates.items()}
    for name, values in rates.items():
        shown = ", ".join(f"{v:.0f}" for v in values)
        print(f"  {name:<30} median {medians[name]:6.0f} pages/s  ({shown})  peak RSS {peaks[name]:.0f} MB")
    for name, _ in bares:
        print(f"  full / {name:<30} = {medians['full'] / medians[name]:.2f}  (target >= 0.8)")
    print(
        f"  full crawl: peak RSS of its largest process {peaks['full']:.0f} MB, peak PSS of the crawl "
        f"with its enrichment worker {peaks['tree']:.0f} MB (target <= 400 MB)"
    )
    print("  CPU time per page while crawling (median of rounds; start-up excluded):")
    for name, values in cpu_ms.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"    {name:<30} {statistics.median(values):5.2f} ms  ({shown})")
    for name, values in server_ms.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        median = statistics.median(values)
        print(f"    this process (site + sampling), during {name}: {median:.2f} ms  ({shown})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--adverts", type=int, default=2000)
    parser.add_argument("--rendered", type=int, default=0, help="advert pages for the Playwright memory run")
    parser.add_argument(
        "--context-pages",
        type=int,
        nargs="*",
        help="rendered runs one after another, one per PLAYWRIGHT_CONTEXT_PAGES value (0: one context "
        "for the whole crawl); default one run as configured",
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of bare and full crawls")
    parser.add_argument("--profile", type=Path, help="run each full crawl under cProfile, profiles here")
    parser.add_argument("--bare-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global PROFILE_DIR
    PROFILE_DIR = args.profile
    if args.bare_child:
        bare_child(*args.bare_child)
        return
    site = Site(max(args.adverts, args.rendered))
    base, stop = serve(site)
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="crawlers.settings")
    with tempfile.TemporaryDirectory(prefix="smokkelradar-bench-") as scratch:
        workdir = Path(scratch)
        for folder in ("sources", "alerts"):
            (workdir / folder).mkdir()
        (workdir / "radar.yaml").write_text(RADAR_YAML.format(keywords=REPO / "config" / "keywords"))
        (workdir / "sources" / "bench.yaml").write_text(SOURCES_YAML.format(base=base))
        if args.adverts:
            site.adverts = args.adverts
            site.listing_pages = -(-args.adverts // PER_PAGE)
            throughput(workdir, site, base, env, args.rounds)
        if args.rendered:
            site.adverts = args.rendered
            site.listing_pages = -(-args.rendered // PER_PAGE)
            for context_pages in args.context_pages or [None]:
                rendered_run(workdir, env, context_pages)
    stop.set()


if __name__ == "__main__":
    main()
