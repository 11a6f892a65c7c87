"""Scrapy settings of smokkelradar's crawlers: the defaults every source starts from.

A source's own values (user agent, robots, concurrency, delay, proxy, data folders) are
applied on top when its spider is created (``crawlers.source_settings``), so these are the
safe fall-backs. Our own components read settings prefixed by component, each with an
``_ENABLED`` switch: ``SSRF_*``, ``CONDITIONAL_*``, ``ENRICH_*``, ``SPOOL_*``,
``EVIDENCE_*``, ``STATE_*``, ``REPORT_*``.
"""

from __future__ import annotations

BOT_NAME = "smokkelradar"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# Scrapy 2.19 opens an HTTP server on localhost that runs code sent to it: never.
REMOTE_CONTROL_ENABLED = False
# The telnet console is a second door into the process; we do not use it either.
TELNETCONSOLE_ENABLED = False

# Replaced by radar.yaml's user_agent for every real crawl.
USER_AGENT = "smokkelradar (no user_agent configured)"
ROBOTSTXT_OBEY = True
# Public pages only: no sessions, no logins, nothing a cookie could tie together.
COOKIES_ENABLED = False

# Politeness: per-site concurrency and delay come from the source; AutoThrottle may slow
# down further when the site answers slowly, never speed up past the configured delay.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Bad input must not stall or swamp a crawl.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DNS_TIMEOUT = 20
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Pause before retry n: RETRY_BACKOFF_BASE * 2**(n-1) seconds, at most RETRY_BACKOFF_MAX.
RETRY_BACKOFF_BASE = 0.5
RETRY_BACKOFF_MAX = 8.0
REDIRECT_MAX_TIMES = 5

# The DNS layer of the SSRF guard: every connection's resolved address is checked here.
TWISTED_DNS_RESOLVER = "crawlers.middlewares.ssrf_resolver.GuardedResolver"

DOWNLOADER_MIDDLEWARES = {
    # First of all: nothing, not even robots.txt, is fetched from a forbidden address.
    "crawlers.middlewares.ssrf.SsrfGuardMiddleware": 10,
    "crawlers.middlewares.proxy.SourceProxyMiddleware": 740,
    "crawlers.middlewares.conditional.ConditionalRequestMiddleware": 560,
    # Replaced by the same retry with a growing pause between attempts.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.retry.BackoffRetryMiddleware": 550,
    # Scrapy components that do nothing for our crawls but cost CPU on every request:
    # no spider sets allowed_domains (the SSRF guard and a source's allow/deny decide what is
    # fetched); public pages only, so no HTTP logins (proxy logins are HttpProxyMiddleware's);
    # byte and status counts nobody reads (the run report keeps its own).
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
}
# The same for every request and item a spider yields: no Referer header (a site need not
# learn which of its pages led us where), no depth bookkeeping (max_pages and depth are per
# source), no development aid. Kept: HttpErrorMiddleware (non-2xx to the errback) and
# UrlLengthMiddleware (no absurdly long URLs from link traps).
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
# Evidence before the spool: the item stored must already name its evidence files.
ITEM_PIPELINES = {
    "crawlers.pipelines.enrich.EnrichPipeline": 300,
    "crawlers.pipelines.evidence.EvidencePipeline": 400,
    "crawlers.pipelines.spool.SpoolPipeline": 500,
}
EXTENSIONS = {
    "crawlers.report.RunReportExtension": 500,
    "crawlers.garbage.GarbageCollectorExtension": 510,
}
# Scrapy's own bookkeeping, the same results for less CPU per page: stats without a Python
# wrapper around every access, and request fingerprints (the duplicate filter's) from the
# canonical URL the spider computed already (both byte-for-byte Scrapy's).
STATS_CLASS = "crawlers.stats.LeanStatsCollector"
REQUEST_FINGERPRINTER_CLASS = "crawlers.fingerprints.CanonicalUrlFingerprinter"

# Items of one response processed at once. Scrapy starts this many tasks per response; our
# callbacks yield a handful of items, so a small number saves much of that overhead. Each source
# sets its own (1 when every page holds at most one advert: crawlers.source_settings).
CONCURRENT_ITEMS = 20

# Python's garbage collector while crawling (crawlers.garbage): start-up frozen, the young
# generation collected every GC_COLLECT_INTERVAL seconds rather than every 700 allocations.
GC_ENABLED = True
GC_YOUNG_THRESHOLD = 50_000
GC_COLLECT_INTERVAL = 2.0
GC_FULL_INTERVAL = 30.0  # and everything not frozen (rendered pages' cycles reach the oldest generation)

SSRF_ENABLED = True
CONDITIONAL_ENABLED = True
ENRICH_ENABLED = True
# Enrich in this many worker processes (another core); 0: in the crawl process itself.
ENRICH_WORKERS = 1
ENRICH_BATCH_SIZE = 32
ENRICH_BATCH_WAIT = 0.05
SPOOL_ENABLED = True
# Set from radar.yaml (data.spool) when a source is crawled.
SPOOL_PATH = None
SPOOL_BATCH_SIZE = 100
SPOOL_BATCH_WAIT = 0.5
# The enrichment worker writes the spool's batches (a crawl without one writes them itself).
SPOOL_BY_WORKER = True
EVIDENCE_ENABLED = True
EVIDENCE_DIR = None
STATE_ENABLED = True
STATE_DIR = None
# Where the run report goes as JSON (the parent process of `smokkelradar crawl` reads it).
REPORT_FILE = None
# Flat counts for the scheduler's run history; default: $SMOKKELRADAR_CRAWL_REPORT.
REPORT_COUNTS_FILE = None
# A small JSON file rewritten every REPORT_PROGRESS_INTERVAL seconds while crawling.
REPORT_PROGRESS_FILE = None
REPORT_PROGRESS_INTERVAL = 1.0

# Rendered sources: Debian's Chromium, never a downloaded browser.
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": "/usr/bin/chromium",
    "headless": True,
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-quic",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ],
}
PLAYWRIGHT_MAX_CONTEXTS = 1
# Pages per browser context; then it is closed and a fresh one opened (memory stays flat).
PLAYWRIGHT_CONTEXT_PAGES = 50
# Playwright's driver (node) with a small young generation: without it V8 grows that to 64 MB
# over the first few hundred pages (crawlers/browser_contexts.py, docs/benchmarks.md).
PLAYWRIGHT_DRIVER_NODE_OPTIONS = "--max-semi-space-size=1"
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
