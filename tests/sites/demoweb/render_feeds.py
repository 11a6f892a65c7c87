"""The news-style site behind the feeds: RSS 2.0 ``/feed.xml``, Atom ``/atom.xml``, the
``/feed/`` index and one page per item at ``/feed/item/<slug>``.

The XML is built with ElementTree so every corpus string is escaped by the library, and
characters XML 1.0 cannot carry are dropped first. Item ids in the Atom feed are tag URIs,
so they stay the same whatever port the demo web runs on.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from tests.sites.demoweb.catalog import Placement
from tests.sites.demoweb.http_types import http_date
from tests.sites.demoweb.layout import NEWS, html_page
from tests.sites.demoweb.textmarkup import (
    dir_attrs,
    el,
    esc,
    forum_date,
    iso_offset,
    iso_z,
    paragraphs_html,
    plain_excerpt,
    rtl,
    xml_safe,
)

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
ET.register_namespace("atom", ATOM_NS)
ET.register_namespace("dc", DC_NS)
FEED_TITLE = "Safar Bulletin"
FEED_DESCRIPTION = "Travel news, offers and notices from our readers."


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


def _serialize(root: ET.Element) -> bytes:
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


def _newest_first(placements: list[Placement]) -> list[Placement]:
    return sorted(placements, key=lambda p: (p.entry.posted, p.number), reverse=True)


def rss(placements: list[Placement], base: str, updated: datetime) -> bytes:
    root = ET.Element("rss", {"version": "2.0"})
    channel = _sub(root, "channel")
    _sub(channel, "title", FEED_TITLE)
    _sub(channel, "link", f"{base}/feed/")
    _sub(channel, "description", FEED_DESCRIPTION)
    _sub(channel, "lastBuildDate", http_date(updated))
    _sub(channel, f"{{{ATOM_NS}}}link", href=f"{base}/feed.xml", rel="self", type="application/rss+xml")
    for placement in _newest_first(placements):
        entry = placement.entry
        item = _sub(channel, "item")
        _sub(item, "title", entry.title or plain_excerpt(entry.text))
        _sub(item, "link", base + placement.path)
        _sub(item, "guid", base + placement.path, isPermaLink="true")
        _sub(item, "pubDate", http_date(entry.posted))
        _sub(item, f"{{{DC_NS}}}creator", entry.author)
        _sub(item, "description", paragraphs_html(entry.text))
    return _serialize(root)


def atom(placements: list[Placement], base: str, updated: datetime) -> bytes:
    root = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(root, f"{{{ATOM_NS}}}title", FEED_TITLE)
    _sub(root, f"{{{ATOM_NS}}}subtitle", FEED_DESCRIPTION)
    _sub(root, f"{{{ATOM_NS}}}id", "tag:safar-bulletin.example,2026:feed")
    _sub(root, f"{{{ATOM_NS}}}updated", iso_offset(updated))
    _sub(root, f"{{{ATOM_NS}}}link", rel="self", href=f"{base}/atom.xml", type="application/atom+xml")
    _sub(root, f"{{{ATOM_NS}}}link", rel="alternate", href=f"{base}/feed/", type="text/html")
    for placement in _newest_first(placements):
        entry = placement.entry
        node = _sub(root, f"{{{ATOM_NS}}}entry")
        _sub(node, f"{{{ATOM_NS}}}title", entry.title or plain_excerpt(entry.text))
        _sub(node, f"{{{ATOM_NS}}}id", f"tag:safar-bulletin.example,2026:item-{placement.number}")
        _sub(node, f"{{{ATOM_NS}}}link", rel="alternate", href=base + placement.path, type="text/html")
        _sub(node, f"{{{ATOM_NS}}}published", iso_offset(entry.posted))
        _sub(node, f"{{{ATOM_NS}}}updated", iso_offset(entry.posted))
        author = _sub(node, f"{{{ATOM_NS}}}author")
        _sub(author, f"{{{ATOM_NS}}}name", entry.author)
        _sub(node, f"{{{ATOM_NS}}}summary", plain_excerpt(entry.text, 200), type="text")
        _sub(node, f"{{{ATOM_NS}}}content", entry.text, type="text")
    return _serialize(root)


def index_page(placements: list[Placement]) -> str:
    items = "\n".join(
        el(
            "li",
            "news-item",
            el("a", "news-link", esc(p.entry.title or ""), href=p.path, **rtl(p.entry.lang))
            + " "
            + el("time", "", esc(forum_date(p.entry.posted)), datetime=iso_z(p.entry.posted)),
        )
        for p in _newest_first(placements)
    )
    feeds = '<p><a href="/feed.xml">RSS</a> &middot; <a href="/atom.xml">Atom</a></p>'
    main = f'<h1>Latest</h1>\n{feeds}\n<ul class="news">\n{items}\n</ul>'
    return html_page(
        NEWS,
        "Latest",
        main,
        head='\n<link rel="alternate" type="application/rss+xml" href="/feed.xml" title="RSS">'
        '\n<link rel="alternate" type="application/atom+xml" href="/atom.xml" title="Atom">',
    )


def item_page(placement: Placement) -> str:
    entry = placement.entry
    main = f"""<article class="entry" id="item-{placement.number}">
  <h1 class="entry-title"{dir_attrs(entry.lang)}>{esc(entry.title or "")}</h1>
  <div class="entry-meta">By <span class="entry-author">{esc(entry.author)}</span> &middot;
    <time class="entry-date" datetime="{iso_z(entry.posted)}">{esc(forum_date(entry.posted))}</time></div>
  <div class="entry-content"{dir_attrs(entry.lang)}>
{paragraphs_html(entry.text)}
  </div>
  <p class="entry-share">Share: <a href="/feed.xml">RSS</a></p>
</article>"""
    return html_page(NEWS, entry.title or "Item", main, body_class="news-item-page")
