"""Starting a guard proxy for one crawl: with the crawl's SSRF rule, counted in its report.

``start_for_crawl(crawler, context, upstream_url, stat)`` starts a ``GuardProxy`` (through the source's
proxy, if it has one), lets Scrapy's DNS layer connect to it (it lives on 127.0.0.1, which the
rule would refuse), counts every connection it refuses under ``report/<stat>`` and stops it
when the spider closes.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals

from crawlers.egress.guard_proxy import GuardProxy
from crawlers.egress.upstream import Upstream
from crawlers.middlewares.address_policy import AddressPolicy
from crawlers.middlewares.ssrf_resolver import GuardedResolver
from crawlers.report import count
from radar.errors import Code, RadarError


def start_for_crawl(crawler: Any, context: Any, upstream_url: str | None, stat: str) -> GuardProxy:
    """``context``: the source's ``SourceContext`` (radar.yaml's ``allowed_addresses`` apply)."""
    if crawler.settings.getbool("SSRF_ENABLED"):
        policy = AddressPolicy(context.config.radar.address_allowed)
    else:  # the guard is switched off: the proxy only forwards
        policy = AddressPolicy(allowed=lambda address, port: True)

    def refused(target: str, reason: str) -> None:
        from twisted.internet import reactor

        # Called in the proxy's thread: the stats belong to the reactor's.
        reactor.callFromThread(count, crawler.stats, stat)

    upstream = Upstream.parse(upstream_url) if upstream_url else None
    try:
        guard = GuardProxy(policy, upstream, on_refusal=refused).start()
    except OSError as error:  # never crawl around the proxy or the guard instead
        raise RadarError(
            Code.CRAWL_UNSUPPORTED_PROXY,
            f"source '{context.source.name}': the guard proxy on 127.0.0.1 could not start: {error}",
        ) from error
    GuardedResolver.trusted.add(("127.0.0.1", guard.port))
    crawler.signals.connect(guard.stop, signal=signals.spider_closed, weak=False)
    return guard
