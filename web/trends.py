"""The dashboard's figures: adverts per week by destination, origin, route and language, the
median price per route per month, and the phone numbers that appeared most lately.

The filter is the indexer's own query for the search in the URL (``indexer.query``), so a
trend always counts exactly the adverts that search finds; only the aggregations are built
here. Everything runs on Elasticsearch's core aggregations (no scripts, no x-pack ``multi_terms``,
which the local node does not have): a route is an origin bucket with a destination bucket
inside, the top routes are picked here; medians are ``percentiles``; "new" phone numbers are
checked against all time in a second request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from indexer.query import SearchRequest, search_query
from web.charts import Chart, bar_chart, line_chart
from web.names import country_name, language_name

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

TOP_SERIES = 6
NEW_PHONES = 10
PHONE_CANDIDATES = 300
UNKNOWN = "?"


@dataclass(frozen=True)
class NewPhone:
    number: str
    adverts: int  # in the window
    first_seen: str  # ISO date of its first advert ever
    sources: list[str]


@dataclass(frozen=True)
class Trends:
    start: date
    end: date
    total: int
    charts: list[Chart]
    prices: Chart
    new_since: date
    new_phones: list[NewPhone]
    new_phones_chart: Chart


def window(
    since: date | None, until: date | None, weeks: int, today: date | None = None
) -> tuple[date, date]:
    """The days counted: ``since``..``until`` when given, else the ``weeks`` weeks up to today."""
    end = until or today or datetime.now(UTC).date()
    start = since or end - timedelta(weeks=weeks) + timedelta(days=1)
    return start, end


def _terms(field: str) -> dict[str, Any]:
    return {"terms": {"field": field, "size": TOP_SERIES}}


ROUTE_ENDS = 20  # origins, and destinations per origin, considered for the top routes


def _route(inner: dict[str, Any]) -> dict[str, Any]:
    """Origin buckets with destination buckets inside (an unknown end counts as ``?``)."""
    to = {"terms": {"field": "route.destination", "size": ROUTE_ENDS, "missing": UNKNOWN}, "aggs": inner}
    return {"terms": {"field": "route.origin", "size": ROUTE_ENDS, "missing": UNKNOWN}, "aggs": {"to": to}}


def _histogram(interval: str, start: date, end: date) -> dict[str, Any]:
    return {
        "date_histogram": {
            "field": "date",
            "calendar_interval": interval,
            "format": "yyyy-MM-dd",
            "min_doc_count": 0,
            "extended_bounds": {"min": start.isoformat(), "max": end.isoformat()},
        }
    }


def trend_body(request: SearchRequest, start: date, end: date) -> dict[str, Any]:
    query = search_query(replace(request, since=start, until=end, search_after=None))
    weeks = _histogram("week", start, end)
    months = _histogram("month", start, end)
    median = {"median": {"percentiles": {"field": "prices.eur", "percents": [50]}}}
    return {
        "query": query,
        "size": 0,
        "track_total_hits": True,
        "aggs": {
            "weeks": weeks,
            "months": months,
            "destination": {**_terms("route.destination"), "aggs": {"weeks": weeks}},
            "origin": {**_terms("route.origin"), "aggs": {"weeks": weeks}},
            "route": _route({"weeks": weeks}),
            "language": {**_terms("language"), "aggs": {"weeks": weeks}},
            "route_price": _route({"months": {**months, "aggs": median}}),
            "phones": {"terms": {"field": "phones.e164", "size": PHONE_CANDIDATES}},
        },
    }


def _buckets(aggs: Mapping[str, Any], name: str) -> list[tuple[str, Mapping[str, Any]]]:
    """(series name, bucket) of a terms aggregation, or the top routes of a route aggregation."""
    found = aggs[name]["buckets"]
    if not found or "to" not in found[0]:
        return [(str(b["key"]), b) for b in found]
    routes = [
        (f"{o['key']} → {d['key']}", d)
        for o in found
        for d in o["to"]["buckets"]
        if (o["key"], d["key"]) != (UNKNOWN, UNKNOWN)  # no route at all is not a route
    ]
    routes.sort(key=lambda pair: -int(pair[1]["doc_count"]))
    return routes[:TOP_SERIES]


def _series(
    aggs: Mapping[str, Any],
    name: str,
    labels: Sequence[str],
    naming: Callable[[str], str] | None = None,
) -> list[tuple[str, list[float | None]]]:
    series: list[tuple[str, list[float | None]]] = []
    for key, bucket in _buckets(aggs, name):
        counts = {b["key_as_string"]: float(b["doc_count"]) for b in bucket["weeks"]["buckets"]}
        weekly: list[float | None] = [counts.get(label, 0.0) for label in labels]
        series.append((naming(key) if naming else key, weekly))
    return series


def _medians(aggs: Mapping[str, Any], labels: Sequence[str]) -> list[tuple[str, list[float | None]]]:
    series = []
    for key, bucket in _buckets(aggs, "route_price"):
        values: dict[str, float | None] = {}
        for month in bucket["months"]["buckets"]:
            median = month["median"]["values"].get("50.0")
            values[month["key_as_string"]] = float(median) if median is not None else None
        if any(v is not None for v in values.values()):
            series.append((key, [values.get(label) for label in labels]))
    return series


def _named(code: str) -> str:
    name = country_name(code)
    return f"{name} ({code})" if name != code else code


def new_phones(client: Elasticsearch, alias: str, counts: Mapping[str, int], since: date) -> list[NewPhone]:
    """The numbers among ``counts`` whose first advert ever is on or after ``since``, most adverts first."""
    if not counts:
        return []
    response = client.search(
        index=alias,
        size=0,
        query={"terms": {"phones.e164": list(counts)}},
        aggs={
            "phones": {
                "terms": {"field": "phones.e164", "size": len(counts), "include": list(counts)},
                "aggs": {
                    "first": {"min": {"field": "date"}},
                    "sources": {"terms": {"field": "source", "size": 5}},
                },
            }
        },
    )
    found = []
    for bucket in response["aggregations"]["phones"]["buckets"]:
        first = bucket["first"].get("value_as_string")
        if first and first[:10] >= since.isoformat():
            sources = [str(b["key"]) for b in bucket["sources"]["buckets"]]
            found.append(NewPhone(str(bucket["key"]), counts[bucket["key"]], first[:10], sources))
    found.sort(key=lambda p: (-p.adverts, p.number))
    return found[:NEW_PHONES]


def trends(
    client: Elasticsearch, alias: str, request: SearchRequest, start: date, end: date, new_days: int = 28
) -> Trends:
    response = client.search(index=alias, **trend_body(request, start, end))
    aggs = response["aggregations"]
    weeks = [b["key_as_string"] for b in aggs["weeks"]["buckets"]]
    months = [b["key_as_string"] for b in aggs["months"]["buckets"]]
    week_labels = [f"{label[5:]}" for label in weeks]  # MM-DD; the year is in the window heading
    dimensions = (
        ("destination", "destination", _named),
        ("origin", "origin", _named),
        ("route", "route", None),
        ("language", "language", lambda code: f"{language_name(code)} ({code})"),
    )
    charts = [
        line_chart(
            f"Adverts per week by {title}", "adverts", week_labels, _series(aggs, name, weeks, naming=naming)
        )
        for name, title, naming in dimensions
    ]
    prices = line_chart(
        "Median price per route per month", "EUR", [m[:7] for m in months], _medians(aggs, months)
    )
    new_since = max(start, end - timedelta(days=new_days - 1))
    counts = {str(b["key"]): int(b["doc_count"]) for b in aggs["phones"]["buckets"]}
    phones = new_phones(client, alias, counts, new_since)
    chart = bar_chart("Top new phone numbers", "adverts", [(p.number, float(p.adverts)) for p in phones])
    total = int(response["hits"]["total"]["value"])
    return Trends(start, end, total, charts, prices, new_since, phones, chart)
