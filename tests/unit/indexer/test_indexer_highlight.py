"""Highlights as offsets into the original text, and snippets built from them."""

from __future__ import annotations

from indexer.highlight import POST, PRE, merge, snippet, spans_in

TEXT = "قارب من زوارة إلى لامبيدوزا\nBoat from Zuwara, 3500 € per person"


def marked(text: str, *words: str) -> str:
    for word in words:
        text = text.replace(word, PRE + word + POST)
    return text


def test_spans_point_into_the_original_text() -> None:
    spans = spans_in(marked(TEXT, "زوارة", "Zuwara"), TEXT)
    assert [TEXT[s:e] for s, e in spans] == ["زوارة", "Zuwara"]


def test_a_fragment_is_placed_where_it_occurs() -> None:
    fragment = marked("from Zuwara, 3500", "Zuwara")
    assert [TEXT[s:e] for s, e in spans_in(fragment, TEXT)] == ["Zuwara"]
    assert spans_in(marked("not in the text", "text"), TEXT) == []


def test_merge_joins_overlapping_spans_from_several_fields() -> None:
    assert merge([(5, 9), (0, 3), (2, 4), (9, 12)]) == [(0, 4), (5, 12)]


def test_snippet_marks_matches_around_the_first_one() -> None:
    spans = spans_in(marked(TEXT, "Zuwara"), TEXT)
    # a third of the width before the match, the rest after; the line break becomes a space
    assert snippet(TEXT, spans, width=30) == "…Boat from [Zuwara], 3500 € per p…"
    assert (
        snippet(TEXT, spans, width=30, before="<b>", after="</b>")
        == "…Boat from <b>Zuwara</b>, 3500 € per p…"
    )
    assert snippet("short", [], width=30) == "short"
    assert snippet("a" * 50, [], width=10) == "a" * 10 + "…"


def test_the_fast_path_agrees_with_walking_the_text() -> None:
    import random

    from indexer.highlight import _spans_by_walking

    chance = random.Random(7)  # noqa: S311 - reproducible test strings, not secrets
    alphabet = ["a", "ب", " ", "\n", "🚤", PRE, POST]
    for _ in range(2000):
        marked = "".join(chance.choice(alphabet) for _ in range(chance.randint(0, 30)))
        original = marked.replace(PRE, "").replace(POST, "")
        assert spans_in(marked, original) == _spans_by_walking(marked, original), repr(marked)
