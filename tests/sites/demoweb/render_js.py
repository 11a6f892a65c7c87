"""The JavaScript listing: HTML shells with empty containers, and the JSON API that
``/static/app.js`` reads to fill them.

Without JavaScript ``/js/`` shows no advert at all. With it, the script loads one batch
(``js_page_size`` adverts, newest first) and one more each time the reader scrolls to the
bottom, so a rendering crawler must scroll to see everything. Each advert renders as
``div.advert`` with ``h2.advert-title a.advert-link``, ``.advert-author``, ``.advert-date``
and ``div.advert-body``; its permalink ``/js/advert/<slug>`` is rendered by the same script.
"""

from __future__ import annotations

import json
from typing import Any

from tests.sites.demoweb.catalog import Placement
from tests.sites.demoweb.layout import LIVE, html_page
from tests.sites.demoweb.textmarkup import RTL_LANGS, esc, forum_date, iso_z


def newest_first(placements: list[Placement]) -> list[Placement]:
    return sorted(placements, key=lambda p: p.number, reverse=True)


def advert_json(placement: Placement) -> dict[str, Any]:
    entry = placement.entry
    item: dict[str, Any] = {
        "id": placement.number,
        "url": placement.path,
        "title": entry.title or "",
        "text": entry.text,
        "author": entry.author,
        "posted": iso_z(entry.posted),
        # What the page shows: the poster's relative date when the board has one.
        "posted_display": entry.posted_display or forum_date(entry.posted),
        "posted_is_relative": entry.posted_display is not None,
        "dir": "rtl" if entry.lang in RTL_LANGS else "ltr",
    }
    if entry.lang in RTL_LANGS:
        item["lang"] = entry.lang
    return item


def adverts_batch(placements: list[Placement], offset: int, limit: int) -> bytes:
    ordered = newest_first(placements)
    batch = ordered[offset : offset + limit]
    following = offset + len(batch)
    payload = {
        "items": [advert_json(p) for p in batch],
        "offset": offset,
        "next_offset": following if following < len(ordered) else None,
        "total": len(ordered),
    }
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def one_advert(placement: Placement) -> bytes:
    return json.dumps(advert_json(placement), ensure_ascii=False).encode("utf-8")


def listing_shell(page_size: int) -> str:
    main = f"""<h1>Live board</h1>
<p class="intro">New offers appear here as they are posted. Scroll down for more.</p>
<div id="adverts" class="advert-list" data-api="/api/adverts" data-page-size="{page_size}"></div>
<div id="status" class="status" aria-live="polite"></div>
<noscript><p class="noscript">This board needs JavaScript.</p></noscript>"""
    return html_page(LIVE, "Live board", main, body_class="js-listing", scripts=("/static/app.js",))


def advert_shell(placement: Placement) -> str:
    main = f"""<p><a href="/js/">&larr; Live board</a></p>
<div id="adverts" class="advert-list" data-advert="{esc(placement.slug)}"></div>
<div id="status" class="status" aria-live="polite"></div>
<noscript><p class="noscript">This board needs JavaScript.</p></noscript>"""
    return html_page(
        LIVE, f"Advert {placement.number}", main, body_class="js-advert", scripts=("/static/app.js",)
    )
