"""The SSRF guard's request layer: every request — start URLs, links, robots.txt, each redirect
hop — is checked before anything is sent.

It refuses a non-http(s) URL, and a host whose resolved addresses are not all public unless
radar.yaml's ``allowed_addresses`` names them (``crawlers.middlewares.address_policy``).
A redirect is a new request and passes through here again. Refused requests fail with
``SsrfBlocked``, are counted (``report/errors/ssrf_blocked``) and logged with the URL.

The DNS layer (``ssrf_resolver.GuardedResolver``) checks again at connection time on the
address actually used, so a name that resolves differently a moment later gains nothing.
Through a proxy that resolves names itself (HTTP, ``socks5h``), only literal addresses and
local names are checked (resolving the name here would leak it); through ``socks5``/``socks4``
names are resolved here and the addresses checked, and the guard proxy (``crawlers.egress``)
checks again at connection time.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from crawlers.middlewares.address_policy import AddressPolicy, Lookup, system_lookup
from crawlers.middlewares.ssrf_resolver import GuardedResolver
from crawlers.report import count
from radar.config.radar import AllowedAddress
from radar.logs import get_logger

log = get_logger("crawlers.ssrf")


class SsrfBlocked(IgnoreRequest):
    """A request the SSRF guard refused; the message says why."""


def policy_for(crawler: Any, lookup: Lookup = system_lookup) -> AddressPolicy:
    """The guard's policy: the spider's radar.yaml, else ``SSRF_ALLOWED_ADDRESSES`` (benchmarks)."""
    context = getattr(crawler.spider, "context", None)
    if context is not None:
        return AddressPolicy(context.config.radar.address_allowed, lookup)
    entries = [
        AllowedAddress.model_validate(text) for text in crawler.settings.getlist("SSRF_ALLOWED_ADDRESSES")
    ]
    return AddressPolicy(lambda address, port: any(e.allows(address, port) for e in entries), lookup)


class SsrfGuardMiddleware:
    def __init__(self, policy: AddressPolicy, stats: Any, remote_dns: bool | None = None) -> None:
        self.policy = policy
        self.stats = stats
        # Whether the source's proxy resolves names (None: no source; judge by meta["proxy"]).
        self.remote_dns = remote_dns
        self._verdicts: dict[tuple[str, bool], str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> SsrfGuardMiddleware:
        if not crawler.settings.getbool("SSRF_ENABLED"):
            raise NotConfigured("SSRF_ENABLED is off")
        policy = policy_for(crawler)
        # The DNS layer is one per process; it takes the policy of the crawl running in it.
        GuardedResolver.policy = policy
        context = getattr(crawler.spider, "context", None)
        remote_dns = None
        if context is not None:
            from crawlers.egress.upstream import Upstream

            proxy = context.config.proxy_for(context.source)
            remote_dns = Upstream.parse(proxy.url).remote_dns if proxy is not None else False
        return cls(policy, crawler.stats, remote_dns)

    async def process_request(self, request: Request) -> None:
        via_proxy = self.remote_dns if self.remote_dns is not None else bool(request.meta.get("proxy"))
        key = (_origin(request), via_proxy)
        if key not in self._verdicts:
            # Name resolution blocks; keep it off the reactor thread.
            self._verdicts[key] = await asyncio.to_thread(
                self.policy.refusal, request.url, via_proxy=via_proxy
            )
        refusal = self._verdicts[key]
        if refusal is None:
            return
        count(self.stats, "errors/ssrf_blocked")
        hops = request.meta.get("redirect_urls") or []
        log.warning(
            "SSRF guard refused %s (redirected from %s): %s",
            request.url,
            hops[-1] if hops else "-",
            refusal,
            extra={"url": request.url, "reason": refusal, "redirected_from": hops[-1] if hops else ""},
        )
        raise SsrfBlocked(f"SSRF guard: {request.url} refused: {refusal}")


def _origin(request: Request) -> str:
    """Scheme, host and port: what the verdict depends on (paths never change it). The request's
    URL is split once for every middleware that asks (robots.txt, redirects: Scrapy's cache)."""
    parts = urlparse_cached(request)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"
