"""A Scrapy crawl of one https:// URL through a guard proxy whose SSRF rule refuses it (a helper
of test_crawl_guard_proxy.py, run in a process of its own: a reactor cannot be restarted).

The guard proxy goes on through the SOCKS proxy given on the command line and allows only
127.0.0.1:<allowed port>; the target is another port of 127.0.0.1. The request layer of the SSRF
guard is left out, so that the guard proxy is what refuses (as when a name resolves to another
address by the time the tunnel is opened). Prints, as JSON, how each request failed (the
report's error kinds) and the connections the guard refused. Only 127.0.0.1 is contacted.

Run: ``python guard_refusal_crawl.py SOCKS_URL TARGET_PORT ALLOWED_PORT``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import scrapy
from scrapy.crawler import CrawlerProcess

from crawlers.egress.guard_proxy import GuardProxy
from crawlers.egress.upstream import Upstream
from crawlers.middlewares.address_policy import AddressPolicy
from crawlers.middlewares.proxy import SourceProxyMiddleware
from crawlers.report import classify_failure

socks_url, target_port, allowed_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
guard = GuardProxy(
    AddressPolicy(lambda address, port: address == "127.0.0.1" and port == allowed_port),
    Upstream.parse(socks_url),
).start()
failures: list[str] = []


class GuardedProxy(SourceProxyMiddleware):
    """The source proxy middleware as a SOCKS source's crawl has it: pointed at its guard proxy."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> GuardedProxy:
        return cls(guard.url, guarded=True)


class Target(scrapy.Spider):
    name = "guard-refusal"

    async def start(self) -> Any:
        yield scrapy.Request(f"https://127.0.0.1:{target_port}/admin", errback=self.failed)

    def failed(self, failure: Any) -> None:
        failures.append(classify_failure(failure))


process = CrawlerProcess(
    {
        "LOG_LEVEL": "ERROR",
        "REMOTE_CONTROL_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "DOWNLOADER_MIDDLEWARES": {
            "__main__.GuardedProxy": 740,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawlers.middlewares.retry.BackoffRetryMiddleware": 550,
        },
        "RETRY_TIMES": 3,
        "RETRY_BACKOFF_BASE": 0.01,
    }
)
process.crawl(Target)
process.start()
guard.stop()
print(json.dumps({"failures": failures, "refused": [target for target, _ in guard.refused]}))
