"""The keyword files: the shipped ones validate, a broken one is reported at file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.vocabulary import DEFAULT_KEYWORDS_DIR, load_keyword_files, merge
from radar.config.keywords import KeywordFile
from radar.config.loader import check_paths
from radar.config.problems import ConfigError


def test_shipped_keyword_files_validate() -> None:
    assert check_paths([DEFAULT_KEYWORDS_DIR]) == []
    files = load_keyword_files(DEFAULT_KEYWORDS_DIR)
    assert {kw.name for kw in files} >= {"languages", "places", "prices", "relevance", "routes"}


def test_the_vocabulary_holds_every_concern() -> None:
    vocab = merge(load_keyword_files(DEFAULT_KEYWORDS_DIR))
    assert set(vocab.languages) >= {
        "ar",
        "fa",
        "ps",
        "ckb",
        "tr",
        "ti",
        "am",
        "so",
        "en",
        "fr",
        "nl",
        "de",
        "it",
        "el",
    }
    assert {"EUR", "USD", "LYD", "IRR", "ERN", "ETB"} <= set(vocab.prices.rates_to_eur)
    assert {g.value for g in vocab.transport} == {"boat", "truck", "car", "plane", "train", "on_foot"}
    assert any(rule.weight < 0 for rule in vocab.relevance_rules)


@pytest.mark.parametrize(
    ("yaml", "line", "message"),
    [
        ("name: x\nprices:\n  min_eur: lots\n", 3, "prices.min_eur: expected a number, got 'lots'"),
        ("name: x\nprices:\n  currencies:\n    - code: EURO\n", 4, "must match pattern"),
        (
            "name: x\nrelevance:\n  rules:\n    - {name: r, weight: 1, feature: price, terms: {en: [y]}}\n",
            4,
            "give exactly one of 'terms' or 'feature'",
        ),
        ("name: x\ntransprot: []\n", 2, "unknown key 'transprot' (did you mean 'transport'?)"),
        ("name: x\nnormalization:\n  fold: {'ab': 'c'}\n", 3, "'ab' is not a single character"),
        ("name: x\nlanguages:\n  ar: {script: runic}\n", 3, "languages.ar.script"),
    ],
)
def test_broken_keyword_file_is_reported_at_its_line(
    tmp_path: Path, yaml: str, line: int, message: str
) -> None:
    folder = tmp_path / "keywords"
    folder.mkdir()
    (folder / "broken.yaml").write_text(yaml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_keyword_files(folder)
    problems = [str(problem) for problem in caught.value.problems]
    assert any(f"broken.yaml:{line}:" in p and message in p for p in problems), problems


def test_two_files_may_not_both_define_a_single_section() -> None:
    one = KeywordFile(name="one", contacts={"default_platform": "telegram"})
    two = KeywordFile(name="two", contacts={"default_platform": "signal"})
    with pytest.raises(Exception, match="both define 'contacts'"):
        merge([one, two])
