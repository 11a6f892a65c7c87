"""Pure pieces of the web app: text segments and marks, the URL form of a search, exports, charts."""

from __future__ import annotations

import pytest

from indexer.query import SearchRequest
from radar.errors import RadarError
from web import present
from web.charts import bar_chart, line_chart, nice_max
from web.export import ExportTooLargeError, neutral
from web.search_params import SearchForm
from web.security import safe_next, web_link


def test_segments_mark_overlapping_spans_without_losing_text() -> None:
    pieces = present.segments("abcdef", [(1, 3, "match"), (2, 5, "place"), (0, 9, "nonsense")])

    assert "".join(p.text for p in pieces) == "abcdef"
    assert [(p.text, p.kinds) for p in pieces] == [
        ("a", ()),
        ("b", ("match",)),
        ("c", ("match", "place")),
        ("de", ("place",)),
        ("f", ()),
    ]
    assert pieces[2].css == "mark-match mark-place"


def test_snippets_centre_on_the_first_match() -> None:
    text = "x" * 500 + "boat" + "y" * 500
    pieces = present.snippet(text, [(500, 504)], width=100)

    assert pieces[0].text == "…" and pieces[-1].text == "…"
    assert [p.text for p in pieces if p.kinds] == ["boat"]


def test_entities_are_found_by_offsets_or_by_their_words() -> None:
    text = "From Zuwara to Lampedusa. Call +218 91 234 5678 or @boza_express"
    doc = {
        "places": [{"text": "Zuwara", "start": 5, "end": 11}, {"text": "Lampedusa", "start": 99, "end": 108}],
        "phones": [{"e164": "+218912345678"}],
        "handles": [{"platform": "telegram", "value": "boza_express"}],
    }
    marks = {(text[s:e], k) for s, e, k in present.entity_marks(doc, text)}

    assert marks == {
        ("Zuwara", "place"),
        ("Lampedusa", "place"),
        ("+218 91 234 5678", "phone"),
        ("boza_express", "handle"),
    }


def test_routes_prices_and_local_times_read_as_officers_say_them() -> None:
    assert present.route_text({"origin": "LY", "transit": ["TN"], "destination": "IT"}) == "LY → TN → IT"
    assert present.route_text({"origin": None, "transit": [], "destination": "GB"}) == "? → GB"
    assert present.route_text({}) == ""
    assert present.price_lines(
        [{"amount": 3000, "currency": "USD", "eur": 2760, "kind": "per_document"}]
    ) == ["3,000 USD per document (≈ 2,760 EUR)"]
    assert present.local_time("2026-07-01T10:00:00Z", "Europe/Amsterdam") == "2026-07-01 12:00"


def test_bidi_overrides_are_shown_not_obeyed() -> None:
    assert present.visible("call \u202e1178 19 812+") == "call ⟦RLO⟧1178 19 812+"
    assert present.visible("مرحبا \u200f ok") == "مرحبا \u200f ok"  # marks that only hint direction stay
    assert present.visible(42) == 42


def test_a_search_round_trips_through_the_url() -> None:
    form = SearchForm.parse(
        {
            "q": " جواز سفر ",
            "lang": ["ar", "fa,ar"],
            "origin": ["LY"],
            "sort": "date",
            "collapse": "1",
            "price_max": "3000",
            "after": "abc",
            "p": "3",
            "bogus": "x",
        }
    )
    again = SearchForm.parse(dict_of(form.pairs()))

    assert form.values("lang") == ("ar", "fa") and form.get("q") == "جواز سفر"
    assert again == form
    request = form.request(limit=20, paged=False)
    assert request == SearchRequest(
        query="جواز سفر",
        lang=("ar", "fa"),
        origin=("LY",),
        price_max=3000.0,
        sort="date",
        collapse=True,
        limit=20,
    )


def dict_of(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in pairs:
        found.setdefault(key, []).append(value)
    return found


def test_facet_links_toggle_one_value_and_go_back_to_the_first_page() -> None:
    form = SearchForm.parse({"q": "boat", "lang": ["ar"], "after": "cursor", "p": "2"})

    added = form.toggled("lang", "fa")
    removed = form.toggled("lang", "ar")

    assert added.values("lang") == ("ar", "fa") and "after" not in added.scalars and "p" not in added.scalars
    assert removed.values("lang") == () and removed.url() == "/search?q=boat"
    assert [c.remove for c in form.chips()] == ["/search?q=boat"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"price_min": "cheap"}, "not a number"),
        ({"since": "29/11/2026"}, "not a date"),
        ({"price_min": "500", "price_max": "100"}, "above price_max"),
    ],
)
def test_bad_search_input_is_a_clear_error(params: dict[str, str], message: str) -> None:
    with pytest.raises(RadarError, match=message):
        SearchForm.parse(params).request()


def test_links_are_made_only_of_web_addresses() -> None:
    assert web_link("https://t.me/s/boza_express") == "https://t.me/s/boza_express"
    for hostile in (
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,x",
        " javascript:x",
        "//evil",
        None,
    ):
        assert web_link(hostile) is None
    assert safe_next("/search?q=x") == "/search?q=x"
    assert safe_next("//evil.example") == "/search" and safe_next("/\\evil") == "/search"


def test_csv_cells_that_spreadsheets_would_evaluate_are_neutralised() -> None:
    assert neutral('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert neutral("+218912345678") == "'+218912345678"
    assert neutral("@boza") == "'@boza" and neutral("-1") == "'-1"
    assert neutral("boat to Italy") == "boat to Italy" and neutral(None) == ""


def test_an_export_past_the_limit_says_how_far_past() -> None:
    error = ExportTooLargeError(12345, 5000)

    assert (
        "12,345 adverts" in error.message and "at most 5,000" in error.message and "Narrow" in error.message
    )


def test_charts_scale_to_their_data() -> None:
    assert [nice_max(v) for v in (0, 3, 7, 12, 180, 2600)] == [1.0, 3.0, 8.0, 15.0, 200.0, 3000.0]
    chart = line_chart("t", "adverts", ["a", "b", "c"], [("IT", [0, 4, 2]), ("GR", [1, None, 3])])
    bars = bar_chart("t", "adverts", [("+218", 3), ("+90", 1)])

    assert len(chart.series) == 2 and chart.series[1].points.count(",") == 2  # the gap is left out
    top = min(d.y for s in chart.series for d in s.dots)
    assert top == pytest.approx(chart.top)  # the largest value touches the top of the plot
    assert [t.label for t in chart.y_ticks] == ["0", "1", "2", "3", "4"]
    assert [
        [t.label for t in line_chart("t", "u", ["a"], [("x", [v])]).y_ticks][-1] for v in (7, 12, 2600)
    ] == [
        "8",
        "15",
        "3,000",
    ]
    assert len(line_chart("t", "u", ["a"], [("x", [2600])]).y_ticks) == 4  # 0, 1,000, 2,000, 3,000
    assert chart.rows == [["a", "0", "1"], ["b", "4", ""], ["c", "2", "3"]]
    assert [s.name for s in bars.series] == ["+218", "+90"]
