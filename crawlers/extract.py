"""Reading an advert's fields with the selectors an analyst configured, and noticing drift.

A selector is CSS or XPath (``radar.config.types.Selector``); it is applied to a whole page
or, for adverts shown as blocks of a listing, inside one block. ``::text`` and ``::attr()``
results are text already; an element gives its readable text (``crawlers.text``).

``DriftTracker`` counts, per selector, the pages it matched nothing on. A required selector
(advert links or blocks, the body) that misses is drift on that page; an optional one (title,
date, ...) only when it matched nothing on any page of the run. The run report gets one
aggregated warning per selector, naming the source, the selector and example URLs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol
from urllib.parse import urljoin

from lxml import etree, html  # type: ignore[import-untyped]
from parsel import Selector as Page
from parsel import SelectorList
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_base_url

from crawlers.text import element_text, tidy_text
from radar.config.sources import FieldSelectors
from radar.config.types import Selector

FIELD_NAMES = ("title", "body", "posted", "author", "price", "location", "permalink")
EXAMPLE_URLS = 3


class Scope(Protocol):
    """Anything selectors apply to: a page (Scrapy's ``TextResponse``) or a block of it."""

    def xpath(self, query: str) -> SelectorList[Page]: ...


@lru_cache(maxsize=1024)
def _xpath(kind: str, query: str) -> str:
    # Translating CSS to XPath costs more than applying it: once per selector and process.
    return Selector(kind=kind, query=query).to_xpath()


def select(scope: Scope, selector: Selector) -> SelectorList[Page]:
    return scope.xpath(_xpath(selector.kind, selector.query))


# The XPath functions and namespaces parsel gives every query (``re:test(...)`` and the like).
_NAMESPACES = dict(Page._default_namespaces)
_LINKS = etree.XPath(".//a/@href", smart_strings=False)


# The prefixes of parsel's namespaces (EXSLT regular expressions and sets).
_PREFIXES = tuple(f"{prefix}:" for prefix in _NAMESPACES)


@lru_cache(maxsize=1024)
def _compiled(kind: str, query: str) -> etree.XPath:
    path = _xpath(kind, query)
    if any(prefix in path for prefix in _PREFIXES):
        return etree.XPath(path, namespaces=_NAMESPACES, smart_strings=False)
    # A query that names none of them (nearly all) evaluates alike without them, and without lxml
    # setting up the EXSLT functions for every evaluation: 21 -> 17.5 µs for a page's six fields.
    return etree.XPath(path, smart_strings=False, regexp=False)


def _root(scope: Scope) -> object:
    """The lxml element a page (its parsed document) or a block stands for."""
    if isinstance(scope, Page):
        return scope.root
    # Scrapy keeps a response's selector in a private attribute: if a release renames it, every page
    # takes this path, which parses exactly as the selector would.
    if isinstance(scope, HtmlResponse) and getattr(scope, "_cached_selector", None) is None:
        # An advert page read once: the document parsel would build for Scrapy's selector (the
        # same steps, text and parser options), without the two selector objects around it, which
        # cost more than parsing the page (about 20 µs against 10 per advert page). Its base URL is
        # the one Scrapy's redirect middleware looked up already (cached per response).
        return _document(scope.text, get_base_url(scope))
    return scope.selector.root  # type: ignore[attr-defined]  # a response parses its body once


class _Parsers(threading.local):
    """One lxml HTML parser per thread, with the options parsel gives every page (an lxml parser may
    be used for one document after another, never by two threads at once)."""

    def __init__(self) -> None:
        self.html = html.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)


_PARSERS = _Parsers()


def _document(text: str, base_url: str) -> object:
    """``parsel.selector.create_root_node(text, html.HTMLParser, base_url=...)`` step for step, with a
    parser made once instead of for every page."""
    body = text.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    parser = _PARSERS.html
    root = etree.fromstring(body, parser=parser, base_url=base_url)
    if root is None:  # a document of nothing but comments or blanks
        root = etree.fromstring(b"<html/>", parser=parser, base_url=base_url)
    return root


def _matched_in(root: object, selector: Selector) -> list[object]:
    if not isinstance(root, etree._Element):
        return [root] if isinstance(root, str) and selector.query.strip() == "." else []
    found = _compiled(selector.kind, selector.query)(root)
    return found if isinstance(found, list) else [found]


def _value_text(value: object) -> str:
    if isinstance(value, str):
        return tidy_text(value)
    if isinstance(value, bytes):
        return tidy_text(value.decode("utf-8", "replace"))
    if isinstance(value, etree._Element):
        return element_text(value)
    return tidy_text(str(value))  # a number or boolean from an XPath function


def node_text(node: Page) -> str:
    root = node.root
    if isinstance(root, str):
        return tidy_text(root)
    if isinstance(root, bytes):
        return tidy_text(root.decode("utf-8", "replace"))
    return element_text(root)


def first_text(nodes: Iterable[Page]) -> str | None:
    for node in nodes:
        value = node_text(node)
        if value:
            return value
    return None


def joined_text(nodes: Iterable[Page]) -> str:
    return "\n\n".join(value for value in (node_text(node) for node in nodes) if value)


def links_in(nodes: Iterable[Page], base_url: str) -> list[str]:
    """Absolute http(s) links inside the matched elements, in order, each once."""
    found: dict[str, None] = {}
    for node in nodes:
        if isinstance(node.root, str | bytes):
            continue
        for href in node.xpath(".//a/@href").getall():
            absolute = urljoin(base_url, href.strip())
            if absolute.startswith(("http://", "https://")):
                found.setdefault(absolute, None)
    return list(found)


@dataclass
class Fields:
    """What the field selectors found on one page or block; ``missing`` names those that found nothing."""

    body: str
    title: str | None = None
    posted: str | None = None
    author: str | None = None
    price: str | None = None
    location: str | None = None
    permalink: str | None = None
    outlinks: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def read_fields(scope: Scope, fields: FieldSelectors, base_url: str) -> Fields:
    root = _root(scope)  # once for the seven selectors
    body_nodes = _matched_in(root, fields.body)
    body = "\n\n".join(value for value in map(_value_text, body_nodes) if value)
    result = Fields(body=body, outlinks=_links_of(body_nodes, base_url))
    if not result.body:
        result.missing.append("body")
    for name in ("title", "posted", "author", "price", "location", "permalink"):
        selector: Selector | None = getattr(fields, name)
        if selector is None:
            continue
        value = next((text for text in map(_value_text, _matched_in(root, selector)) if text), None)
        if value is None:
            result.missing.append(name)
        setattr(result, name, value)
    if result.permalink:
        result.permalink = urljoin(base_url, result.permalink)
    return result


def _links_of(nodes: list[object], base_url: str) -> list[str]:
    """``links_in`` for lxml matches."""
    found: dict[str, None] = {}
    for node in nodes:
        if not isinstance(node, etree._Element):
            continue
        for href in _LINKS(node):
            absolute = urljoin(base_url, href.strip())
            if absolute.startswith(("http://", "https://")):
                found.setdefault(absolute, None)
    return list(found)


@dataclass
class _Tally:
    query: str
    required: bool
    pages: int = 0
    misses: int = 0
    urls: list[str] = field(default_factory=list)


class DriftTracker:
    """Per selector: on how many pages it was tried and how often it matched nothing."""

    def __init__(self) -> None:
        self._tallies: dict[str, _Tally] = {}

    def tried(self, name: str, selector: Selector, url: str, matched: bool, *, required: bool) -> None:
        tally = self._tallies.get(name)
        if tally is None:  # not setdefault: a tally (and the selector's text) once per selector, not per page
            tally = self._tallies[name] = _Tally(str(selector), required)
        tally.pages += 1
        if not matched:
            tally.misses += 1
            if len(tally.urls) < EXAMPLE_URLS:
                tally.urls.append(url)

    def fields_tried(self, fields: FieldSelectors, found: Fields, url: str) -> None:
        for name in FIELD_NAMES:
            selector: Selector | None = getattr(fields, name)
            if selector is not None:
                self.tried(
                    f"fields.{name}", selector, url, name not in found.missing, required=name == "body"
                )

    def warnings(self) -> list[dict[str, object]]:
        """Drifting selectors: required ones that missed anywhere, optional ones that never matched."""
        drifting = []
        for name, tally in self._tallies.items():
            if tally.misses and (tally.required or tally.misses == tally.pages):
                drifting.append(
                    {
                        "selector": name,
                        "query": tally.query,
                        "missed_pages": tally.misses,
                        "pages": tally.pages,
                        "urls": list(tally.urls),
                    }
                )
        return drifting

    def summary(self) -> list[dict[str, object]]:
        """Every selector tried: on how many pages, and how many it missed (for ``sources check``)."""
        return [
            {
                "selector": name,
                "query": t.query,
                "pages": t.pages,
                "missed_pages": t.misses,
                "urls": list(t.urls),
            }
            for name, t in self._tallies.items()
        ]
