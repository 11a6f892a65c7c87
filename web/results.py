"""View models of the search page: one :class:`HitView` per result, the facets as clickable
groups (each bucket a link that adds or removes that filter), built from the indexer's
:class:`~indexer.search.SearchResult`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from indexer.search import Bucket, Facets, Hit
from web import present
from web.names import label
from web.present import Contact, Segment
from web.search_links import SearchLinks
from web.search_params import FACET_PARAMS, SearchForm

FACET_TITLES = {
    "languages": "Language",
    "origin": "From",
    "transit": "Via",
    "destination": "To",
    "documents": "Documents",
    "transport": "Transport",
    "sources": "Source",
    "currencies": "Currency",
}
PRICE_INTERVAL = 500  # the indexer's default histogram step, EUR


@dataclass(frozen=True)
class HitView:
    doc_id: str
    advert_id: str
    title: str
    snippet: list[Segment]
    language: str
    route: str
    prices: list[str]
    contacts: list[Contact]
    source: str
    date: str  # ISO, UTC (the template shows it in local time)
    reposts: int
    cluster_id: str
    url: str
    relevance: float | None
    eur: list[float]  # every price of the advert in EUR, for charts


def hit_view(hit: Hit) -> HitView:
    doc: Mapping[str, Any] = hit.source
    cluster = doc.get("cluster") or {}
    text = doc.get("text") or ""
    return HitView(
        doc_id=hit.doc_id,
        advert_id=str(doc.get("advert_id") or ""),
        title=str(doc.get("title") or ""),
        snippet=present.snippet(text, hit.highlights.get("text", ())),
        language=str(doc.get("language") or ""),
        route=present.route_text(doc.get("route")),
        prices=present.price_lines(doc.get("prices")),
        contacts=present.contacts(doc),
        source=str(doc.get("source") or ""),
        date=str(doc.get("date") or ""),
        reposts=int(cluster.get("repost_count") or 0),
        cluster_id=str(cluster.get("id") or ""),
        url=str(doc.get("url") or ""),
        relevance=hit.relevance,
        eur=[
            float(p["eur"]) for p in doc.get("prices") or [] if isinstance(p, dict) and _number(p.get("eur"))
        ],
    )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


@dataclass(frozen=True)
class FacetItem:
    label: str
    count: int
    selected: bool
    url: str


@dataclass(frozen=True)
class FacetGroup:
    name: str
    title: str
    items: list[FacetItem]


def facet_groups(facets: Facets, form: SearchForm) -> list[FacetGroup]:
    links = SearchLinks(form)
    groups: list[FacetGroup] = []
    for name, param in FACET_PARAMS.items():
        buckets: tuple[Bucket, ...] = getattr(facets, name)
        chosen = form.values(param)
        toggle = links.toggles(param)
        items = [FacetItem(label(param, b.key), b.count, b.key in chosen, toggle.url(b.key)) for b in buckets]
        # A chosen value with no matches left still shows, so it can be removed here too.
        shown = {b.key for b in buckets}
        items += [FacetItem(label(param, v), 0, True, toggle.url(v)) for v in chosen if v not in shown]
        if items:
            groups.append(FacetGroup(name, FACET_TITLES[name], items))
    price_items = []
    for bucket in facets.price_eur:
        low = int(float(bucket.key))
        high = low + PRICE_INTERVAL
        picked = form.get("price_min") == str(low) and form.get("price_max") == str(high)
        url = links.with_scalars(price_min=str(low), price_max=str(high))
        price_items.append(FacetItem(f"{low:,}–{high:,} EUR", bucket.count, picked, url))
    if price_items:
        groups.append(FacetGroup("price", "Price (lowest, EUR)", price_items))
    week_items = []
    for bucket in reversed(facets.dates):  # newest week first
        try:
            start = date.fromisoformat(bucket.key[:10])
        except ValueError:
            continue
        end = start + timedelta(days=6)
        picked = form.get("since") == start.isoformat() and form.get("until") == end.isoformat()
        url = links.with_scalars(since=start.isoformat(), until=end.isoformat())
        week_items.append(FacetItem(f"week of {start:%d %b %Y}", bucket.count, picked, url))
    if week_items:
        groups.append(FacetGroup("dates", "Posted", week_items))
    return groups
