"""Map a request to the page that answers it. Pure of sockets: the server feeds it ``Request``
values and writes the ``Response`` it returns, so the routing is testable on its own.

    /                          home page linking to every source     /robots.txt, /about, /contact
    /forum/?page=N             board listing, newest first           /forum/advert/<slug>  an advert
    /s/<channel>?before=ID     t.me-style preview (also ?after=ID)   /<channel>/<id>       one message
    /s/private_group           302 to /private_group (info page)     /s/empty_channel      no messages
    /feed/ /feed.xml /atom.xml the news site and its feeds           /feed/item/<slug>     an item
    /sitemap.xml               index of /sitemap-adverts.xml and /sitemap-static.xml
    /pages/<slug>              pages only the sitemap leads to
    /js/  /js/advert/<slug>    shells filled by /static/app.js       /api/adverts?offset=N[&limit=M]
    /bad/malformed /bad/charset?mode=wrong|missing|meta /bad/binary /bad/huge?bytes=N[&chunked=1]
    /bad/slow?seconds=S /bad/drift/ /bad/status/<code> /bad/flaky?key=K&fail=N
    /redirect?to=URL[&status=301|302|303|307|308]             /private/...  (robots.txt forbids)

Item pages carry ``Last-Modified`` = the date the advert was posted; listings, feeds,
sitemaps and the API carry the time the published set last changed. All of them carry an
ETag of their body and answer conditional requests with 304.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from tests.sites.demoweb import (
    bad_inputs,
    render_feeds,
    render_forum,
    render_js,
    render_sitemap,
    render_static,
)
from tests.sites.demoweb import render_telegram as tg
from tests.sites.demoweb.catalog import TELEGRAM_SOURCES, Catalog, Placement
from tests.sites.demoweb.http_types import Request, Response, cacheable, not_found, page, redirect
from tests.sites.demoweb.static_files import static_response
from tests.sites.demoweb.visibility import Visibility

JSON = "application/json; charset=utf-8"
_ITEM_PAGES = tuple(
    (re.compile(pattern), source)
    for pattern, source in (
        (r"/forum/advert/([0-9a-z-]+)", "forum"),
        (r"/feed/item/([0-9a-z-]+)", "feed"),
        (r"/pages/([0-9a-z-]+)", "sitemap"),
        (r"/js/advert/([0-9a-z-]+)", "js"),
    )
)


@dataclass
class Options:
    """Tunables tests may change while the server runs."""

    forum_page_size: int = 10
    telegram_page_size: int = 20
    js_page_size: int = 5
    huge_bytes: int = 5 * 1024 * 1024
    slow_seconds: float = 3.0


class Router:
    def __init__(
        self, catalog: Catalog, visibility: Visibility, options: Options, stopping: threading.Event
    ) -> None:
        self.catalog = catalog
        self.visibility = visibility
        self.options = options
        self.stopping = stopping
        self.flaky = bad_inputs.Flaky()
        self._exact: dict[str, Callable[[Request, str], Response]] = {
            "/": lambda r, b: page(render_static.home_page()),
            "/robots.txt": lambda r, b: page(
                render_static.robots_txt(b), content_type="text/plain; charset=utf-8"
            ),
            "/about": lambda r, b: page(render_static.about_page()),
            "/contact": lambda r, b: page(render_static.contact_page()),
            "/forum/": self._forum_listing,
            "/feed/": lambda r, b: self._collection(r, render_feeds.index_page(self._visible("feed"))),
            "/feed.xml": self._rss,
            "/atom.xml": self._atom,
            "/sitemap.xml": self._sitemap_index,
            "/sitemap-adverts.xml": self._adverts_sitemap,
            "/sitemap-static.xml": lambda r, b: _xml(render_sitemap.static_sitemap(b)),
            "/js/": lambda r, b: self._collection(r, render_js.listing_shell(self.options.js_page_size)),
            "/api/adverts": self._api_batch,
            "/bad/malformed": lambda r, b: bad_inputs.malformed(),
            "/bad/charset": lambda r, b: bad_inputs.charset(r.arg("mode", "wrong") or "wrong"),
            "/bad/binary": lambda r, b: bad_inputs.binary(),
            "/bad/huge": self._huge,
            "/bad/slow": self._slow,
            "/bad/flaky": lambda r, b: self.flaky(r),
            "/bad/drift/": lambda r, b: self._collection(
                r, render_forum.drift_listing_page(self._visible("forum"))
            ),
            "/redirect": self._redirect,
        }
        # Paths people type without the trailing slash.
        for path in ("/forum", "/feed", "/js", "/bad/drift"):
            self._exact[path] = _moved_to(path + "/")

    def handle(self, request: Request, base: str) -> Response:
        if request.method not in ("GET", "HEAD"):
            response = page("<html><body>Method not allowed</body></html>", 405)
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        path = request.path
        if path in self._exact:
            return self._exact[path](request, base)
        if path.startswith("/static/"):
            return static_response(path)
        if path.startswith("/private/"):
            return page(render_static.private_page())
        return self._patterned(request, base)

    def _patterned(self, request: Request, base: str) -> Response:
        path = request.path
        for pattern, source in _ITEM_PAGES:
            if m := pattern.fullmatch(path):
                return self._item(request, source, m.group(1))
        if m := re.fullmatch(r"/api/adverts/([0-9a-z-]+)", path):
            found = self._published("js", m.group(1))
            return self._cached_item(request, found, lambda p: render_js.one_advert(p), JSON)
        if m := re.fullmatch(r"/s/([A-Za-z0-9_]{3,64})/?", path):
            return self._telegram_preview(request, m.group(1), base)
        if m := re.fullmatch(r"/([A-Za-z0-9_]{3,64})/?", path):
            info = tg.CHANNELS.get(m.group(1))
            return page(tg.channel_info_page(info, base)) if info else not_found()
        if m := re.fullmatch(r"/([A-Za-z0-9_]{3,64})/(\d{1,9})", path):
            found = self._published(m.group(1), m.group(2)) if m.group(1) in TELEGRAM_SOURCES else None
            return self._cached_item(request, found, lambda p: self._message_page(p, base).encode())
        if m := re.fullmatch(r"/bad/status/(\d{3})", path):
            return bad_inputs.status(int(m.group(1)))
        return not_found()

    # -- adverts ------------------------------------------------------------------------------

    def _visible(self, source: str) -> list[Placement]:
        return self.visibility.visible_in(source)

    def _published(self, source: str, slug: str) -> Placement | None:
        found = self.catalog.find(source, slug)
        return found if found is not None and self.visibility.is_visible(found.entry.id) else None

    def _item(self, request: Request, source: str, slug: str) -> Response:
        renderers: dict[str, Callable[[Placement], str]] = {
            "forum": render_forum.advert_page,
            "feed": render_feeds.item_page,
            "sitemap": render_sitemap.standalone_page,
            "js": render_js.advert_shell,
        }
        render = renderers[source]
        return self._cached_item(request, self._published(source, slug), lambda p: render(p).encode())

    def _cached_item(
        self,
        request: Request,
        found: Placement | None,
        render: Callable[[Placement], bytes],
        content_type: str = "",
    ) -> Response:
        if found is None:
            return not_found("No such advert (it may have been removed)")
        response = Response(body=render(found))
        if content_type:
            response.content_type = content_type
        return cacheable(request, response, found.entry.posted)

    def _message_page(self, placement: Placement, base: str) -> str:
        replied = tg.reply_target(placement, self.catalog.by_source[placement.source])
        return tg.single_message_page(placement, replied, base)

    # -- collections --------------------------------------------------------------------------

    def _collection(self, request: Request, markup: str | bytes, content_type: str = "") -> Response:
        body = markup if isinstance(markup, bytes) else markup.encode("utf-8")
        response = Response(body=body)
        if content_type:
            response.content_type = content_type
        return cacheable(request, response, self.visibility.collections_modified)

    def _forum_listing(self, request: Request, base: str) -> Response:
        page_no = request.int_arg("page", 1, -1, 10**6)
        markup = render_forum.listing_page(self._visible("forum"), page_no, self.options.forum_page_size)
        return not_found("No such page") if markup is None else self._collection(request, markup)

    def _rss(self, request: Request, base: str) -> Response:
        xml = render_feeds.rss(self._visible("feed"), base, self.visibility.collections_modified)
        return self._collection(request, xml, "application/rss+xml; charset=utf-8")

    def _atom(self, request: Request, base: str) -> Response:
        xml = render_feeds.atom(self._visible("feed"), base, self.visibility.collections_modified)
        return self._collection(request, xml, "application/atom+xml; charset=utf-8")

    def _sitemap_index(self, request: Request, base: str) -> Response:
        xml = render_sitemap.sitemap_index(base, self.visibility.collections_modified)
        return self._collection(request, xml, "application/xml; charset=utf-8")

    def _adverts_sitemap(self, request: Request, base: str) -> Response:
        xml = render_sitemap.adverts_sitemap(self._visible("sitemap") + self._visible("forum"), base)
        return self._collection(request, xml, "application/xml; charset=utf-8")

    def _api_batch(self, request: Request, base: str) -> Response:
        offset = request.int_arg("offset", 0)
        limit = request.int_arg("limit", self.options.js_page_size, 1, 100)
        return self._collection(request, render_js.adverts_batch(self._visible("js"), offset, limit), JSON)

    def _telegram_preview(self, request: Request, channel: str, base: str) -> Response:
        info = tg.CHANNELS.get(channel)
        if info is None:
            return not_found("This channel does not exist")
        if not info.public_preview:
            # As t.me does for a channel or group without a public preview.
            return redirect(f"{base}/{channel}")
        visible = self._visible(channel) if channel in TELEGRAM_SOURCES else []
        size = self.options.telegram_page_size
        before, after = _int_or_none(request.arg("before")), _int_or_none(request.arg("after"))
        if before is not None:
            shown = [p for p in visible if p.number < before][-size:]
        elif after is not None:
            shown = [p for p in visible if p.number > after][:size]
        else:
            shown = visible[-size:]
        older = shown[0].number if shown and visible[0].number < shown[0].number else None
        paged = before is not None or after is not None
        newer = shown[-1].number if shown and paged and visible[-1].number > shown[-1].number else None
        everything = self.catalog.by_source.get(channel, [])
        rows = [(p, tg.reply_target(p, everything)) for p in shown]
        return self._collection(request, tg.channel_preview(info, rows, older, newer, base))

    # -- test endpoints -----------------------------------------------------------------------

    def _huge(self, request: Request, base: str) -> Response:
        size = request.int_arg("bytes", self.options.huge_bytes, 0, bad_inputs.MAX_HUGE_BYTES)
        return bad_inputs.huge(size, chunked=request.arg("chunked") == "1")

    def _slow(self, request: Request, base: str) -> Response:
        try:
            seconds = float(request.arg("seconds") or self.options.slow_seconds)
        except ValueError:
            seconds = self.options.slow_seconds
        return bad_inputs.slow(seconds, self.stopping)

    def _redirect(self, request: Request, base: str) -> Response:
        target = request.arg("to")
        if not target:
            return page("<html><body>Give the target as ?to=URL</body></html>", 400)
        code = request.int_arg("status", 302)
        return redirect(target, code if code in (301, 302, 303, 307, 308) else 302)


def _moved_to(target: str) -> Callable[[Request, str], Response]:
    return lambda request, base: redirect(target, 301)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _xml(body: bytes) -> Response:
    return Response(body=body, content_type="application/xml; charset=utf-8")
