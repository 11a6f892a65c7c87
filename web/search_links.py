"""The links of a search page, built cheaply: facet toggles, filter ranges and the pages.

A search page carries a hundred-odd links that each differ from the current search in one
filter. Building each one from scratch (copy the form, re-encode every parameter) was a
large part of the page's cost, so :class:`SearchLinks` encodes the search's parameters once
and puts each link together from the encoded pieces. The URLs are exactly what
``SearchForm.url()`` gives for the changed form (same order, same encoding), and like every
link that changes the search they lead back to its first page.

:class:`Pager` is the page navigation: first, previous, the nearby page numbers, next and
last, all by page number (``p``), so every page of a search is a short URL that can be
bookmarked and shared. Elasticsearch stops at 10,000 results for numbered pages
(``index.max_result_window``); past that the officer narrows the search (the API can follow
its ``next`` cursor further).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote_plus

from web.search_params import LIST_PARAMS, MAX_RESULTS, PAGING, SCALAR_PARAMS, SearchForm

NEARBY = 2  # page numbers shown on each side of the current one


@lru_cache(maxsize=4096)  # facet values repeat from page to page (LY, IT, ar, passport, ...)
def _pair(name: str, value: str) -> str:
    return f"{name}={quote_plus(value)}"  # as urlencode writes it (names are plain ASCII)


def _url(path: str, parts: Iterable[str]) -> str:
    query = "&".join(part for part in parts if part)
    return f"{path}?{query}" if query else path


class SearchLinks:
    """URLs of ``form`` with one filter changed, put together from pieces encoded once."""

    def __init__(self, form: SearchForm, path: str = "/search") -> None:
        self.form = form
        self.path = path
        self._scalars = {name: form.scalars[name] for name in SCALAR_PARAMS if name in form.scalars}
        # Per list parameter: its encoded values, in LIST_PARAMS order (the order of form.url()).
        self._lists = {name: [_pair(name, v) for v in form.values(name)] for name in LIST_PARAMS}
        self._all_lists = "&".join(p for parts in self._lists.values() for p in parts)

    def _scalar_part(self, changes: dict[str, str | None]) -> str:
        values = {k: v for k, v in self._scalars.items() if k not in PAGING}
        for name, value in changes.items():
            if value:
                values[name] = value
            else:
                values.pop(name, None)
        return "&".join(_pair(name, values[name]) for name in SCALAR_PARAMS if name in values)

    def with_scalars(self, **changes: str | None) -> str:
        """The search with these settings changed (None or "" removes one), on its first page."""
        return _url(self.path, (self._scalar_part(changes), self._all_lists))

    def toggles(self, name: str) -> ToggleLinks:
        """Links that add or remove single values of the list filter ``name``."""
        before: list[str] = []
        after: list[str] = []
        seen = False
        for other, parts in self._lists.items():
            if other == name:
                seen = True
            elif seen:
                after.extend(parts)
            else:
                before.extend(parts)
        scalars = self._scalar_part({})
        return ToggleLinks(
            self.path,
            name,
            self.form.values(name),
            "&".join(x for x in (scalars, *before) if x),
            "&".join(after),
        )


@dataclass(frozen=True)
class ToggleLinks:
    path: str
    name: str
    chosen: tuple[str, ...]
    head: str  # encoded parameters before this filter's values
    tail: str  # encoded parameters after them

    def url(self, value: str) -> str:
        """The search with ``value`` added to this filter, or removed when it is chosen already."""
        values = [v for v in self.chosen if v != value] if value in self.chosen else [*self.chosen, value]
        middle = "&".join(_pair(self.name, v) for v in values)
        return _url(self.path, (self.head, middle, self.tail))


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass(frozen=True)
class Pager:
    page: int
    first_url: str | None  # None on the first page
    prev_url: str | None
    next_url: str | None
    last_url: str | None  # None when the last page is unknown or this is it
    last: int | None  # the number of the last page, when known
    numbers: tuple[PageLink, ...]
    capped: bool  # more results exist than numbered pages can reach


def max_page(page_size: int) -> int:
    return max(1, MAX_RESULTS // page_size)


def page_url(form: SearchForm, number: int, path: str = "/search") -> str:
    """The search on page ``number`` (by number: no cursor in the URL)."""
    scalars = {k: v for k, v in form.scalars.items() if k not in PAGING}
    if number > 1:
        scalars["p"] = str(number)
    return SearchForm(form.lists, scalars).url(path)


def pager(
    form: SearchForm,
    *,
    page_size: int,
    total: int,
    total_is_exact: bool,
    has_next: bool,
    path: str = "/search",
) -> Pager:
    """The navigation of the page ``form`` is on. ``total`` counts adverts; with collapsed reposts a
    page holds clusters, so the last page is unknown and the pages go as far as ``has_next`` says."""
    page, top = form.page, max_page(page_size)
    links = SearchLinks(form, path)  # the parameters encoded once for every page link

    def to(number: int) -> str:  # = page_url(form, number, path)
        return links.with_scalars(p=str(number) if number > 1 else None)

    last: int | None = None
    if total_is_exact and not form.collapse:
        last = max(1, min(top, -(-total // page_size)))
    reachable = last if last is not None else (page + 1 if has_next else page)
    reachable = min(reachable, top)
    low, high = max(1, page - NEARBY), min(reachable, page + NEARBY)
    numbers = tuple(PageLink(n, to(n), n == page) for n in range(low, high + 1))
    return Pager(
        page=page,
        first_url=to(1) if page > 1 else None,
        # From past the end (an old bookmark, a shrunken result), "previous" goes to the last page.
        prev_url=to(min(page - 1, last or top)) if page > 1 else None,
        next_url=to(page + 1) if has_next and page < top else None,
        last_url=to(last) if last is not None and last > page else None,
        last=last,
        numbers=numbers,
        capped=has_next and page >= top,
    )
