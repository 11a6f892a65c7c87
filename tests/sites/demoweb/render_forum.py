"""The classifieds board: paginated listings (newest first) and one page per advert.

Markup a listing spider meets (selectors the demo sources configure):
listing ``li.thread a.thread-title`` -> advert pages, ``a.next[rel=next]`` -> next page;
advert ``h1.post-title``, ``div.post-body``, ``.post-author .username``, ``.post-date``
(``time[datetime]`` for absolute dates, plain text for relative ones such as "منذ يومين"),
``.field-location .value``, ``.field-price .value``.
"""

from __future__ import annotations

import re

from tests.sites.demoweb.catalog import Placement
from tests.sites.demoweb.layout import FORUM, html_page
from tests.sites.demoweb.textmarkup import (
    dir_attrs,
    el,
    esc,
    forum_date,
    iso_z,
    paragraphs_html,
    rtl,
    stable_hash,
)

_DIGIT = "[0-9\u0660-\u0669\u06f0-\u06f9]"
_AMOUNT = f"{_DIGIT}(?:[0-9\u0660-\u0669\u06f0-\u06f9.,'\u066b\u066c ]*{_DIGIT})?"
# Currency signs and words in the corpus languages; "thousand" words may sit in between.
_CURRENCY = (
    r"€|\$|£|₺|eur(?:o|os)?\b|usd\b|dollars?\b|dolar\w*|doolar\b|tl\b|lira\b|pounds?\b|dinar\w*|"
    "ευρώ|δολάρια|يورو|دولار|ليرة|دينار|جنيه|یورو|دلار|دالر|تومان|دۆلار|یۆرۆ|ዩሮ|ዶላር|ብር"
)
_THOUSAND = r"(?:k\b|bin\b|mille\b|ألف|آلاف|هزار|هەزار|χιλιάδες)"
_PRICE = re.compile(
    f"(?:(?:{_CURRENCY})\\s?{_AMOUNT}|{_AMOUNT}\\s?(?:{_THOUSAND}\\s?)?(?:{_CURRENCY}))", re.IGNORECASE
)


def price_text(text: str) -> str | None:
    """The first amount with a currency as the poster wrote it (what a price field would hold)."""
    match = _PRICE.search(text)
    return match.group(0).strip() if match else None


def location_text(placement: Placement) -> str | None:
    """The place the poster would type in the location field: the origin named in the advert."""
    places = [p for p in placement.entry.labels.get("places") or [] if isinstance(p, dict)]
    named = [p for p in places if isinstance(p.get("text"), str) and p["text"] in placement.entry.text]
    origins = [p for p in named if p.get("role") == "origin"]
    chosen = origins or named
    return str(chosen[0]["text"]) if chosen else None


def date_html(placement: Placement, css_class: str) -> str:
    """Relative dates as the board shows them (text only); absolute ones with ``datetime``."""
    entry = placement.entry
    if entry.posted_display:
        return f'<span class="{css_class}">{esc(entry.posted_display)}</span>'
    return (
        f'<time class="{css_class}" datetime="{iso_z(entry.posted)}">{esc(forum_date(entry.posted))}</time>'
    )


def counts(placement: Placement) -> tuple[int, int]:
    """Replies and views, invented but stable."""
    h = stable_hash(placement.entry.id, "forum")
    return h % 17, 40 + h % 2900


def listing_page(placements: list[Placement], page_no: int, page_size: int) -> str | None:
    """Page ``page_no`` (1-based) of the newest-first listing; None when there is no such page."""
    newest_first = sorted(placements, key=lambda p: p.number, reverse=True)
    pages = max(1, -(-len(newest_first) // page_size))
    if not 1 <= page_no <= pages:
        return None
    rows = []
    for placement in newest_first[(page_no - 1) * page_size : page_no * page_size]:
        replies, views = counts(placement)
        entry = placement.entry
        title = el("a", "thread-title", esc(entry.title or ""), href=placement.path, **rtl(entry.lang))
        meta = " &middot; ".join(
            (
                "by " + el("span", "thread-author", esc(entry.author)),
                date_html(placement, "thread-date"),
                el("span", "thread-replies", f"{replies} replies"),
                el("span", "thread-views", f"{views} views"),
            )
        )
        rows.append(
            el(
                "li",
                "thread",
                f"\n  {title}\n  {el('div', 'thread-meta', meta)}\n",
                id=f"thread-{placement.number}",
            )
        )
    if not rows:
        rows.append('<li class="no-threads">No adverts yet. Be the first to post!</li>')
    nav = []
    if page_no > 1:
        nav.append(f'<a class="prev" rel="prev" href="/forum/?page={page_no - 1}">&lsaquo; Previous</a>')
    nav.append(f'<span class="current">Page {page_no} of {pages}</span>')
    if page_no < pages:
        nav.append(f'<a class="next" rel="next" href="/forum/?page={page_no + 1}">Next &rsaquo;</a>')
    main = (
        '<h1 class="board-title">Classifieds: travel &amp; services</h1>\n'
        '<p class="board-intro">Post your offer for free. Newest first.</p>\n'
        '<ul class="thread-list">\n' + "\n".join(rows) + "\n</ul>\n"
        '<nav class="pagination">' + " ".join(nav) + "</nav>"
    )
    return html_page(FORUM, f"Classifieds - page {page_no}", main, body_class="forum-listing")


def advert_page(placement: Placement) -> str:
    entry = placement.entry
    replies, views = counts(placement)
    location = location_text(placement)
    price = price_text(entry.text)
    title = entry.title or ""
    crumbs = f'<a href="/forum/">Classifieds</a> &rsaquo; <span>Advert #{placement.number}</span>'
    fields = (
        el(
            "li",
            "field-location",
            '<span class="label">Location:</span> ' + el("span", "value", esc(location or "—")),
        )
        + "\n    "
        + el(
            "li", "field-price", '<span class="label">Price:</span> ' + el("span", "value", esc(price or "—"))
        )
    )
    main = f"""<nav class="breadcrumbs">{crumbs}</nav>
<article class="post" id="post-{placement.number}">
  <header>
    <h1 class="post-title"{dir_attrs(entry.lang)}>{esc(title)}</h1>
    <div class="post-meta">
      <span class="post-author">Posted by <span class="username">{esc(entry.author)}</span></span> &middot;
      {date_html(placement, "post-date")} &middot; <span class="post-views">{views} views</span>
    </div>
  </header>
  <ul class="post-fields">
    {fields}
  </ul>
  <div class="post-body"{dir_attrs(entry.lang)}>
{paragraphs_html(entry.text)}
  </div>
  <footer class="post-footer">
    <a class="comments-count" href="#comments">{replies} comments</a> &middot;
    <a class="report-link" href="/contact?report={placement.number}">Report this advert</a>
  </footer>
</article>
<section id="comments" class="comments"><h2>Comments</h2>
<p class="login-hint">Log in to read and write comments.</p></section>"""
    return html_page(FORUM, title, main, body_class="forum-advert")


def drift_listing_page(placements: list[Placement]) -> str:
    """The board after a redesign: same adverts, new markup that old selectors do not match."""
    cards = "\n".join(
        f'<article class="card" data-thread="{p.number}"><h3 class="card__heading">'
        f'<a class="card__link" href="{esc(p.path)}">{esc(p.entry.title or "")}</a></h3>'
        f'<p class="card__byline">{esc(p.entry.author)}</p></article>'
        for p in sorted(placements, key=lambda p: p.number, reverse=True)[:10]
    )
    main = (
        '<section class="listing-v2"><h2 class="listing-v2__title">Latest offers</h2>\n'
        f'{cards}\n<div class="listing-v2__more"><button data-page="2">Show more</button></div></section>'
    )
    return html_page(FORUM, "Classifieds (new look)", main, body_class="forum-listing-v2")
