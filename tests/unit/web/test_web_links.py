"""The search page's links: facet toggles and filter ranges built from pre-encoded pieces are
the same URLs the form itself writes, and the page navigation goes back as well as forward."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from indexer.query import decode_cursor
from radar.errors import RadarError
from web.search_links import SearchLinks, max_page, page_url, pager
from web.search_params import SearchForm

FORMS = [
    {},
    {"q": ["جواز سفر"]},
    {"q": ["boat & visa"], "lang": ["ar", "fa"], "origin": ["LY"], "sort": ["date"], "p": ["3"]},
    {"destination": ["IT", "GR"], "price_min": ["1000"], "collapse": ["1"], "after": ["abc"]},
    {"source": ["forum one", "t.me/x?y=1"], "document": ["passport"], "since": ["2026-09-01"]},
]


@pytest.mark.parametrize("params", FORMS)
def test_toggle_links_are_the_urls_the_form_writes(params: dict[str, list[str]]) -> None:
    form = SearchForm.parse(params)
    links = SearchLinks(form)
    for name in ("lang", "origin", "destination", "source", "document", "transport"):
        toggle = links.toggles(name)
        for value in ("ar", "LY", "IT", "GR", "forum one", "passport", "a&b=c", "قارب"):
            assert toggle.url(value) == form.toggled(name, value).url()


@pytest.mark.parametrize("params", FORMS)
def test_range_links_are_the_urls_the_form_writes(params: dict[str, list[str]]) -> None:
    form = SearchForm.parse(params)
    links = SearchLinks(form)
    expected = form.with_scalar("price_min", "500").with_scalar("price_max", "1000").url()
    assert links.with_scalars(price_min="500", price_max="1000") == expected
    assert links.with_scalars(since=None) == form.with_scalar("since", None).url()


@pytest.mark.parametrize("params", FORMS)
@pytest.mark.parametrize("path", ["/search", "/api/search"])
def test_page_links_are_the_urls_the_form_writes(params: dict[str, list[str]], path: str) -> None:
    form = SearchForm.parse(params)
    pages = pager(form, page_size=20, total=1000, total_is_exact=True, has_next=True, path=path)

    expected = [page_url(form, link.number, path) for link in pages.numbers]
    assert [link.url for link in pages.numbers] == expected
    assert pages.next_url == page_url(form, form.page + 1, path)
    assert pages.last_url == (None if form.collapse else page_url(form, 50, path))
    if form.page > 1:
        assert pages.first_url == page_url(form, 1, path)
        assert pages.prev_url == page_url(form, form.page - 1, path)


def _params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_a_middle_page_links_to_first_previous_next_last_and_its_neighbours() -> None:
    form = SearchForm.parse({"q": ["boat"], "lang": ["ar"], "p": ["5"]})
    pages = pager(form, page_size=20, total=1000, total_is_exact=True, has_next=True)

    assert pages.last == 50
    assert [link.number for link in pages.numbers] == [3, 4, 5, 6, 7]
    assert [link.current for link in pages.numbers] == [False, False, True, False, False]
    assert _params(pages.prev_url or "") == {"q": ["boat"], "p": ["4"], "lang": ["ar"]}
    assert _params(pages.next_url or "") == {"q": ["boat"], "p": ["6"], "lang": ["ar"]}
    assert _params(pages.first_url or "") == {"q": ["boat"], "lang": ["ar"]}
    assert _params(pages.last_url or "") == {"q": ["boat"], "p": ["50"], "lang": ["ar"]}


def test_the_first_and_last_pages_have_no_links_beyond_themselves() -> None:
    first = pager(SearchForm.parse({}), page_size=20, total=45, total_is_exact=True, has_next=True)
    last = pager(SearchForm.parse({"p": ["3"]}), page_size=20, total=45, total_is_exact=True, has_next=False)

    assert first.first_url is None and first.prev_url is None and first.last == 3
    assert [link.number for link in first.numbers] == [1, 2, 3]
    assert last.next_url is None and last.last_url is None and last.prev_url == "/search?p=2"


def test_previous_from_past_the_end_leads_to_the_last_page() -> None:
    form = SearchForm.parse({"q": ["boat"], "p": ["40"]})
    pages = pager(form, page_size=20, total=45, total_is_exact=True, has_next=False)

    assert pages.prev_url == "/search?q=boat&p=3" and pages.next_url is None and pages.numbers == ()


def test_collapsed_results_page_on_without_a_known_last_page() -> None:
    form = SearchForm.parse({"collapse": ["1"], "p": ["2"]})
    pages = pager(form, page_size=20, total=5000, total_is_exact=True, has_next=True)

    assert pages.last is None and pages.last_url is None
    assert [link.number for link in pages.numbers] == [1, 2, 3]
    assert pages.next_url == "/search?collapse=1&p=3"


def test_numbered_pages_stop_at_elasticsearchs_result_window() -> None:
    top = max_page(20)
    form = SearchForm.parse({"q": ["boat"], "p": [str(top)]})
    pages = pager(form, page_size=20, total=50_000, total_is_exact=True, has_next=True)

    assert top == 500 and pages.last == top and pages.next_url is None and pages.capped
    with pytest.raises(RadarError, match="page number: 501 is past the last page"):
        SearchForm.parse({"p": ["501"]}).request(limit=20)


def test_a_page_number_becomes_the_offset_of_that_page() -> None:
    third = SearchForm.parse({"q": ["boat"], "p": ["3"]}).request(limit=20)
    first = SearchForm.parse({"q": ["boat"]}).request(limit=20)
    cursor = SearchForm.parse({"p": ["9"], "after": ["eyJmcm9tIjo0MH0"]}).request(limit=20)

    assert third.search_after is not None and decode_cursor(third.search_after) == {"from": 40}
    assert first.search_after is None
    assert cursor.search_after == "eyJmcm9tIjo0MH0"  # the API's cursor wins over the number


def test_page_urls_drop_the_cursor() -> None:
    form = SearchForm.parse({"q": ["x"], "after": ["abc"], "p": ["7"]})
    assert page_url(form, 6) == "/search?q=x&p=6"
    assert page_url(form, 1, "/api/search") == "/api/search?q=x"
