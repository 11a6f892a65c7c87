"""Send a source's requests through its proxy (its own, else radar.yaml's ``default_proxy``).

Investigators must often not reveal their network. HTTP and HTTPS proxies work for every
kind of source; the password of a proxy with a ``username`` comes from
``SMOKKELRADAR_PROXY_<NAME>_PASSWORD``. SOCKS proxies work for rendered sources (Chromium
speaks SOCKS itself, see ``crawlers.rendering``); Scrapy's downloader does not speak SOCKS,
so a listing, telegram, feed or sitemap source behind one is refused with a clear error
rather than crawled directly.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from scrapy import Request
from scrapy.exceptions import NotConfigured

from radar.config.radar import Proxy
from radar.config.secrets import read_proxy_password
from radar.errors import Code, RadarError


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


class SourceProxyMiddleware:
    def __init__(self, url: str) -> None:
        self.url = url

    @classmethod
    def from_crawler(cls, crawler: Any) -> SourceProxyMiddleware:
        context = getattr(crawler.spider, "context", None)
        if context is None:
            raise NotConfigured("not a source crawl")
        proxy = context.config.proxy_for(context.source)
        if proxy is None:
            raise NotConfigured("the source has no proxy")
        name = proxy_name(context) or ""
        if urlsplit(proxy.url).scheme.startswith("socks"):
            if context.source.kind == "rendered":
                raise NotConfigured("Chromium itself uses the SOCKS proxy")
            raise RadarError(
                Code.CRAWL_UNSUPPORTED_PROXY,
                f"source '{context.source.name}' uses SOCKS proxy '{name}', which only rendered sources "
                "can use; give it an http:// proxy (for Tor, an HTTP tunnel such as its HTTPTunnelPort)",
            )
        return cls(proxy_url(name, proxy))

    def process_request(self, request: Request) -> None:
        request.meta.setdefault("proxy", self.url)
