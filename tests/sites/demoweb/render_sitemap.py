"""Sitemaps and the pages only they reach.

``/sitemap.xml`` is a sitemap index of two sitemaps: ``/sitemap-adverts.xml`` (the
``/pages/<slug>`` pages and the forum's advert pages, each with ``lastmod``) and
``/sitemap-static.xml`` (about and contact, which are not adverts). No page of the demo web
links to ``/pages/...``: a crawler finds them through the sitemap or not at all.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from tests.sites.demoweb.catalog import Placement
from tests.sites.demoweb.layout import PAGES, html_page
from tests.sites.demoweb.render_forum import date_html
from tests.sites.demoweb.textmarkup import dir_attrs, esc, iso_offset, paragraphs_html, xml_safe

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
STATIC_PAGES = ("/about", "/contact")
# The static pages were written before any advert; their lastmod never changes.
STATIC_LASTMOD = "2026-07-15T09:00:00+00:00"


def _xml(root: ET.Element) -> bytes:
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=SITEMAP_NS)
    return xml


def _q(tag: str) -> str:
    return f"{{{SITEMAP_NS}}}{tag}"


def sitemap_index(base: str, adverts_modified: datetime) -> bytes:
    root = ET.Element(_q("sitemapindex"))
    for path, lastmod in (
        ("/sitemap-adverts.xml", iso_offset(adverts_modified)),
        ("/sitemap-static.xml", STATIC_LASTMOD),
    ):
        node = ET.SubElement(root, _q("sitemap"))
        ET.SubElement(node, _q("loc")).text = xml_safe(base + path)
        ET.SubElement(node, _q("lastmod")).text = lastmod
    return _xml(root)


def adverts_sitemap(placements: list[Placement], base: str) -> bytes:
    """Pages first, then forum adverts; each with the date it was posted as ``lastmod``."""
    root = ET.Element(_q("urlset"))
    for placement in placements:
        node = ET.SubElement(root, _q("url"))
        ET.SubElement(node, _q("loc")).text = xml_safe(base + placement.path)
        ET.SubElement(node, _q("lastmod")).text = iso_offset(placement.entry.posted)
        ET.SubElement(node, _q("changefreq")).text = "never"
    return _xml(root)


def static_sitemap(base: str) -> bytes:
    root = ET.Element(_q("urlset"))
    for path in STATIC_PAGES:
        node = ET.SubElement(root, _q("url"))
        ET.SubElement(node, _q("loc")).text = xml_safe(base + path)
        ET.SubElement(node, _q("lastmod")).text = STATIC_LASTMOD
        ET.SubElement(node, _q("changefreq")).text = "yearly"
    return _xml(root)


def standalone_page(placement: Placement) -> str:
    entry = placement.entry
    main = f"""<div class="page" id="page-{placement.number}">
  <h1 class="page-title"{dir_attrs(entry.lang)}>{esc(entry.title or "")}</h1>
  <p class="byline"><span class="page-author">{esc(entry.author)}</span> &middot;
    {date_html(placement, "page-date")}</p>
  <div class="page-content"{dir_attrs(entry.lang)}>
{paragraphs_html(entry.text)}
  </div>
</div>"""
    return html_page(PAGES, entry.title or "Page", main, body_class="standalone-page")
