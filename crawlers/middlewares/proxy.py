"""Send a source's requests through its proxy (its own, else radar.yaml's ``default_proxy``).

Investigators must often not reveal their network. The password of a proxy with a
``username`` comes from ``SMOKKELRADAR_PROXY_<NAME>_PASSWORD``.

- HTTP and HTTPS proxies: Scrapy's own ``HttpProxyMiddleware`` uses them (``meta["proxy"]``).
- SOCKS proxies (``socks5``, ``socks5h``, ``socks4``): Scrapy's downloader speaks HTTP proxies
  only, so requests go to a guard proxy on 127.0.0.1 (``crawlers.egress``) that opens each
  connection through the SOCKS proxy — after checking the target's address with the SSRF rule
  (for ``socks5``/``socks4`` the address we resolved, which the SOCKS proxy then connects to;
  for ``socks5h`` the proxy resolves, and literal addresses and local names are checked).
  A connection the guard refuses fails the request as ``ssrf_blocked``.
- Rendered sources: Chromium is given the guard proxy by the rendered spider, which goes on
  through the source's proxy (``crawlers.rendering``); Scrapy's own requests of the crawl
  (robots.txt) use the same guard proxy.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from radar.config.radar import Proxy
from radar.config.secrets import read_proxy_password

GUARD_HEADER = b"X-Smokkelradar-Guard"


def proxy_name(context: Any) -> str | None:
    return context.source.proxy or context.config.radar.default_proxy  # type: ignore[no-any-return]


def proxy_url(name: str, proxy: Proxy) -> str:
    """The proxy URL with its credentials, as Scrapy's HttpProxyMiddleware takes them."""
    if not proxy.username:
        return proxy.url
    password = read_proxy_password(name)
    parts = urlsplit(proxy.url)
    secret = quote(password.get_secret_value(), safe="") if password else ""
    netloc = f"{quote(proxy.username, safe='')}:{secret}@{parts.hostname}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def is_socks(url: str) -> bool:
    return urlsplit(url).scheme.lower().startswith("socks")


class SourceProxyMiddleware:
    def __init__(self, url: str, guarded: bool = False) -> None:
        self.url = url
        # True when self.url is our guard proxy: its refusals are SSRF refusals, not HTTP errors.
        self.guarded = guarded

    @classmethod
    def from_crawler(cls, crawler: Any) -> SourceProxyMiddleware:
        context = getattr(crawler.spider, "context", None)
        if context is None:
            raise NotConfigured("not a source crawl")
        proxy = context.config.proxy_for(context.source)
        if proxy is None:
            raise NotConfigured("the source has no proxy")
        guard = getattr(crawler.spider, "guard_proxy", None)
        if guard is not None:
            # A rendered source: Chromium's guard proxy (through the source's proxy) also carries
            # what Scrapy fetches itself (robots.txt); scrapy-playwright ignores meta["proxy"].
            return cls(guard.url, guarded=True)
        url = proxy_url(proxy_name(context) or "", proxy)
        if not is_socks(url):
            return cls(url)
        from crawlers.egress.for_crawl import start_for_crawl

        guard = start_for_crawl(crawler, context, url, "errors/ssrf_blocked")
        return cls(guard.url, guarded=True)

    def process_request(self, request: Request) -> None:
        request.meta.setdefault("proxy", self.url)

    def process_response(self, request: Request, response: Response) -> Response:
        if self.guarded and response.status == 403 and response.headers.get(GUARD_HEADER):
            from crawlers.middlewares.ssrf import SsrfBlocked  # counted by the guard proxy

            raise SsrfBlocked(response.text.strip())
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        """An https:// target the guard refused: Scrapy only sees its CONNECT fail (a TunnelError,
        which would be retried and reported as a connection error). It is an SSRF refusal."""
        if self.guarded and is_guard_refusal(exception):
            from crawlers.middlewares.ssrf import SsrfBlocked  # counted by the guard proxy

            raise SsrfBlocked(f"SSRF guard: {request.url} refused by the guard proxy ({exception})")


def is_guard_refusal(exception: BaseException) -> bool:
    """Whether a failed CONNECT was our guard proxy refusing the target (see ``REFUSED_REASON``)."""
    from scrapy.core.downloader.handlers.http11 import TunnelError

    from crawlers.egress.guard_proxy import REFUSED_REASON

    return isinstance(exception, TunnelError) and REFUSED_REASON in str(exception)
