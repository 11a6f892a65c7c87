"""Regular expressions in keyword terms: recognised, compiled, judged statically and by a time-boxed probe."""

from __future__ import annotations

import pytest

from workbench.checks.inventory import term_entries
from workbench.checks.regexes import analyse, regex_of
from workbench.keyword_sets import SHIPPED_KEYWORDS, read_keyword_set


@pytest.mark.parametrize(
    ("term", "pattern"),
    [
        ("/vis[ae]/", "vis[ae]"),
        ("pass(port)?", "pass(port)?"),
        ("visa|viza", "visa|viza"),
        (r"\d{3} euro", r"\d{3} euro"),
        ("boat", None),
        ("US$", None),
        ("t.me/", None),
        ("100%", None),
        ("c++", None),
        ("->", None),
        ("semi-rigide", None),
    ],
)
def test_regex_terms_are_told_from_ordinary_ones(term: str, pattern: str | None) -> None:
    assert regex_of(term) == pattern


def test_no_shipped_term_looks_like_a_regex() -> None:
    entries = term_entries(read_keyword_set(SHIPPED_KEYWORDS).pairs())
    assert [entry.term for entry in entries if regex_of(entry.term)] == []


def test_nested_quantifiers_are_found_statically_and_by_the_probe() -> None:
    report = analyse("(a+)+b", timeout_s=0.5)
    assert report.error is None
    assert report.static == "a quantified group contains another quantifier (nested quantifiers, like (a+)+)"
    assert report.slow


def test_overlapping_alternatives_under_a_quantifier_are_found() -> None:
    report = analyse("(a|aa)*c", timeout_s=0.5)
    assert report.static == "a quantified group has alternatives that can match the same text (like (a|aa)*)"
    assert report.slow


def test_a_nested_quantifier_that_cannot_blow_up_is_flagged_but_finishes() -> None:
    report = analyse("(ab+)+c", timeout_s=0.5)
    assert report.static is not None
    assert not report.slow


def test_harmless_and_invalid_patterns() -> None:
    assert analyse("vis[ae]s?").static is None and not analyse("vis[ae]s?").slow
    broken = analyse("pass(port")
    assert broken.error == "missing ), unterminated subpattern at position 4"
