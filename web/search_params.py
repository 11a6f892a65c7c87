"""The search as it lives in the URL: parsed into a :class:`SearchForm`, turned into the
indexer's :class:`~indexer.query.SearchRequest`, and written back as links (facet toggles,
removable filters, the next page), so every search can be bookmarked and shared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from indexer.query import SearchRequest, encode_cursor
from radar.errors import Code, RadarError

# URL parameter -> what it is called on the page. Several values mean "any of these".
LIST_PARAMS: dict[str, str] = {
    "lang": "language",
    "origin": "from",
    "via": "via",
    "destination": "to",
    "country": "country",
    "document": "document",
    "transport": "transport",
    "source": "source",
    "currency": "currency",
}
SCALAR_PARAMS: dict[str, str] = {
    "q": "text",
    "price_min": "price from (EUR)",
    "price_max": "price to (EUR)",
    "since": "from date",
    "until": "to date",
    "phone": "phone",
    "handle": "handle",
    "cluster": "cluster",
    "case": "case",
    "min_score": "minimum score",
    "sort": "sort",
    "collapse": "collapse reposts",
    "after": "page",
    "p": "page number",
}
# Where the reader is in the results: dropped whenever the search itself changes.
PAGING = ("after", "p")
# Facet of indexer.search.Facets -> the URL parameter a click on one of its buckets sets.
FACET_PARAMS: dict[str, str] = {
    "languages": "lang",
    "origin": "origin",
    "transit": "via",
    "destination": "destination",
    "documents": "document",
    "transport": "transport",
    "sources": "source",
    "currencies": "currency",
}
MAX_VALUES = 20
# Numbered pages reach this far into the results (Elasticsearch's default index.max_result_window).
MAX_RESULTS = 10_000
MAX_QUERY = 500
MAX_VALUE = 200


def _bad(message: str) -> RadarError:
    return RadarError(Code.SEARCH_BAD_REQUEST, message)


@dataclass(frozen=True)
class Chip:
    """An applied filter, shown with a link that removes it."""

    label: str
    value: str
    remove: str  # URL of the same search without this filter


@dataclass(frozen=True)
class SearchForm:
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    scalars: Mapping[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ parsing

    @classmethod
    def parse(cls, params: Any) -> SearchForm:
        """From request query parameters (anything with ``getlist``) or a plain mapping of lists."""
        lists: dict[str, tuple[str, ...]] = {}
        for name in LIST_PARAMS:
            values = _getlist(params, name)
            cleaned: list[str] = []
            for value in values:
                for part in value.split(","):
                    part = part.strip()[:MAX_VALUE]
                    if part and part not in cleaned:
                        cleaned.append(part)
            if cleaned:
                lists[name] = tuple(cleaned[:MAX_VALUES])
        scalars: dict[str, str] = {}
        for name in SCALAR_PARAMS:
            values = _getlist(params, name)
            value = values[-1].strip() if values else ""
            if value:
                scalars[name] = value[: MAX_QUERY if name == "q" else MAX_VALUE]
        return cls(lists, scalars)

    def get(self, name: str) -> str:
        return self.scalars.get(name, "")

    def values(self, name: str) -> tuple[str, ...]:
        return self.lists.get(name, ())

    @property
    def collapse(self) -> bool:
        return self.get("collapse") in ("1", "on", "true")

    @property
    def since(self) -> date | None:
        return self._date("since")

    @property
    def until(self) -> date | None:
        return self._date("until")

    @property
    def sort(self) -> str:
        return self.get("sort") if self.get("sort") in ("date", "score") else ""

    def request(self, *, limit: int = 20, facets: bool = True, paged: bool = True) -> SearchRequest:
        """The indexer's request; raises RadarError(SEARCH_BAD_REQUEST) naming the bad field."""
        lists = self.lists
        return SearchRequest(
            query=self.get("q"),
            lang=lists.get("lang", ()),
            country=lists.get("country", ()),
            origin=lists.get("origin", ()),
            destination=lists.get("destination", ()),
            via=lists.get("via", ()),
            currency=lists.get("currency", ()),
            document=lists.get("document", ()),
            transport=lists.get("transport", ()),
            source=lists.get("source", ()),
            price_min=self._number("price_min"),
            price_max=self._number("price_max"),
            since=self.since,
            until=self.until,
            phone=self.get("phone") or None,
            handle=self.get("handle") or None,
            cluster=self.get("cluster") or None,
            case=self.get("case") or None,
            min_score=self._number("min_score"),
            collapse=self.collapse,
            sort=self.sort or None,  # type: ignore[arg-type]
            limit=limit,
            search_after=self.cursor(limit) if paged else None,
            facets=facets,
        )

    def cursor(self, limit: int) -> str | None:
        """The indexer's cursor for this page: the ``after`` cursor when the URL has one (the API's
        ``next`` past the numbered pages), else the offset of page ``p``."""
        if self.get("after"):
            return self.get("after")
        if self.page == 1:
            return None
        if self.page * limit > MAX_RESULTS:
            raise _bad(
                f"page number: {self.page} is past the last page that can be shown "
                f"({MAX_RESULTS // limit}); narrow the search with a filter"
            )
        return encode_cursor({"from": (self.page - 1) * limit})

    def _number(self, name: str) -> float | None:
        text = self.get(name)
        if not text:
            return None
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            raise _bad(f"{SCALAR_PARAMS[name]}: not a number: {text!r}") from None
        if value != value or value < 0:  # NaN or negative
            raise _bad(f"{SCALAR_PARAMS[name]}: must be a number of at least 0, got {text!r}")
        return value

    def _date(self, name: str) -> date | None:
        text = self.get(name)
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise _bad(f"{SCALAR_PARAMS[name]}: not a date (YYYY-MM-DD): {text!r}") from None

    # ------------------------------------------------------------------ writing back

    def pairs(self, *, page: bool = True) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for name in SCALAR_PARAMS:
            if name in self.scalars and (page or name not in PAGING):
                pairs.append((name, self.scalars[name]))
        for name in LIST_PARAMS:
            pairs.extend((name, value) for value in self.lists.get(name, ()))
        return pairs

    def query_string(self, *, page: bool = True) -> str:
        return urlencode(self.pairs(page=page))

    def url(self, path: str = "/search", *, page: bool = True) -> str:
        query = self.query_string(page=page)
        return f"{path}?{query}" if query else path

    def with_scalar(self, name: str, value: str | None) -> SearchForm:
        """This search with one setting changed (or removed); back to the first page."""
        scalars = {k: v for k, v in self.scalars.items() if k != name and k not in PAGING}
        if value:
            scalars[name] = value
        return replace(self, scalars=scalars)

    def toggled(self, name: str, value: str) -> SearchForm:
        """This search with ``value`` added to (or, when present, removed from) a list filter."""
        current = list(self.values(name))
        if value in current:
            current.remove(value)
        else:
            current.append(value)
        lists = {k: v for k, v in self.lists.items() if k != name}
        if current:
            lists[name] = tuple(current)
        scalars = {k: v for k, v in self.scalars.items() if k not in PAGING}
        return SearchForm(lists, scalars)

    def chips(self, path: str = "/search") -> list[Chip]:
        chips = [
            Chip(LIST_PARAMS[name], value, self.toggled(name, value).url(path))
            for name in LIST_PARAMS
            for value in self.values(name)
        ]
        for name in ("price_min", "price_max", "since", "until", "phone", "handle", "cluster", "case"):
            if self.get(name):
                chips.append(
                    Chip(SCALAR_PARAMS[name], self.get(name), self.with_scalar(name, None).url(path))
                )
        if self.get("min_score"):
            chips.append(
                Chip("minimum score", self.get("min_score"), self.with_scalar("min_score", None).url(path))
            )
        return chips

    def is_empty(self) -> bool:
        return not self.lists and not any(k not in ("sort", "collapse", *PAGING) for k in self.scalars)

    @property
    def page(self) -> int:
        number = self.get("p")
        return int(number) if number.isdigit() and 0 < int(number) < 100_000 else 1

    def next_page(self, cursor: str) -> SearchForm:
        scalars = {**self.scalars, "after": cursor, "p": str(self.page + 1)}
        return replace(self, scalars=scalars)


def _getlist(params: Any, name: str) -> list[str]:
    if hasattr(params, "getlist"):
        return [str(value) for value in params.getlist(name)]
    value = params.get(name) if isinstance(params, Mapping) else None
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def saved_search_form(search: Any) -> SearchForm:
    """The search page's form for a saved search (``radar.config.alerts.SavedSearch``).

    A saved search may list several phones or handles ("any of"); the search page filters on
    one, so the first is used and the page says so.
    """
    filters = search.filters
    lists: dict[str, tuple[str, ...]] = {}
    for name, values in (
        ("lang", filters.lang),
        ("country", filters.country),
        ("origin", filters.from_),
        ("destination", filters.to),
        ("via", filters.via),
        ("document", filters.document),
        ("transport", filters.transport),
        ("source", filters.source),
        ("currency", (filters.currency,) if filters.currency else ()),
    ):
        if values:
            lists[name] = tuple(values)
    scalars: dict[str, str] = {}
    if search.query:
        scalars["q"] = search.query
    for name, number in (("price_min", filters.price_min), ("price_max", filters.price_max)):
        if number is not None:
            scalars[name] = f"{number:g}"
    if filters.phone:
        scalars["phone"] = filters.phone[0]
    if filters.handle:
        scalars["handle"] = filters.handle[0]
    scalars["min_score"] = f"{search.min_score:g}"
    return SearchForm(lists, scalars)
