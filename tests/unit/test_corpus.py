"""The demo corpus is valid ground truth, and its checker catches each defect it claims to."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.sites.corpus.validate_corpus import CORPUS_DIR, load_corpus, validate

# The brief for the files written in Arabic and Ge'ez script: (adverts, decoys) at least.
SCRIPT_BATCHES = {"ar": (22, 9), "fa": (20, 8), "ps": (14, 5), "ckb": (14, 5), "ti": (12, 4)}


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    return load_corpus(CORPUS_DIR)


def test_every_corpus_file_passes_the_checker(corpus: list[dict[str, Any]]) -> None:
    problems = validate(corpus)
    assert not problems, "\n".join(map(str, problems))


def test_corpus_totals_meet_the_demo_web_brief(corpus: list[dict[str, Any]]) -> None:
    # TOTALS over every language together (issue 2, item 4): >= 150 adverts and >= 60 decoys.
    relevant = sum(1 for entry in corpus if entry["relevant"] is True)
    decoys = sum(1 for entry in corpus if entry["relevant"] is False)
    assert relevant >= 150, f"only {relevant} relevant adverts in the corpus"
    assert decoys >= 60, f"only {decoys} decoys in the corpus"


@pytest.mark.parametrize(("lang", "minimum"), sorted(SCRIPT_BATCHES.items()))
def test_arabic_and_geez_script_batches_are_complete(
    corpus: list[dict[str, Any]], lang: str, minimum: tuple[int, int]
) -> None:
    entries = [entry for entry in corpus if entry["lang"] == lang]
    relevant = sum(1 for entry in entries if entry["relevant"])
    assert relevant >= minimum[0], f"{lang}: {relevant} adverts"
    assert len(entries) - relevant >= minimum[1], f"{lang}: {len(entries) - relevant} decoys"


# --- the checker itself: one broken entry per failure mode ---------------------------------------

VALID_ENTRY: dict[str, Any] = {
    "id": "ar-900",
    "lang": "ar",
    "relevant": True,
    "channel": "forum",
    "title": "رحلة من زوارة",
    "text": "رحلة من زوارة الى لامبيدوزا 🇮🇹 السعر 3500 يورو، واتساب ٠٩١٣٣٠٧٤٥٢ او @boza_test",
    "author": "tester",
    "posted": "2026-10-03T14:20:00Z",
    "labels": {
        "route": {"origin": "LY", "transit": [], "destination": "IT"},
        "places": [
            {"text": "زوارة", "country": "LY", "role": "origin"},
            {"text": "لامبيدوزا", "country": "IT", "role": "destination"},
            {"text": "🇮🇹", "country": "IT", "role": "destination"},
        ],
        "prices": [{"amount": 3500, "currency": "EUR", "kind": "unknown"}],
        "documents": [],
        "transport": [],
        "phones": ["+218913307452"],
        "handles": [{"platform": "telegram", "value": "boza_test"}],
        "emails": [],
    },
}


def _check(tmp_path: Path, entries: list[dict[str, Any]]) -> list[str]:
    yaml = YAML()
    yaml.dump(entries, tmp_path / "adverts_xx.yaml")
    return [problem.message for problem in validate(load_corpus(tmp_path))]


def test_the_valid_entry_passes(tmp_path: Path) -> None:
    assert _check(tmp_path, [VALID_ENTRY]) == []


def _broken(path: str, value: Any) -> dict[str, Any]:
    """VALID_ENTRY with the value at a dotted path replaced (or the key removed when value is ...)."""
    entry = copy.deepcopy(VALID_ENTRY)
    *parents, last = path.split(".")
    target: Any = entry
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is ...:
        del target[last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return entry


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("author", ..., "missing key 'author'"),
        ("colour", "red", "unknown key 'colour'"),
        ("lang", "xx", "lang 'xx' is not one of"),
        ("id", "fa-900", "id must read <lang>-<nnn>"),
        ("relevant", "yes", "relevant must be true or false"),
        ("channel", "mail", "channel 'mail' is not one of"),
        ("title", ..., "a forum entry needs a title"),
        ("posted", "2026-12-01T10:00:00Z", "lies outside 2026-08-01 .. 2026-11-27"),
        ("posted", "2026-10-03 14:20", "is not UTC in the form"),
        ("labels.emails", ..., "labels lack 'emails'"),
        ("labels.places.0.text", "صبراتة", "place 'صبراتة' does not occur in the text"),
        ("labels.places.0.role", "start", "role 'start' is not one of"),
        ("labels.route.transit", ["GR"], "route country GR comes from no labelled place"),
        ("labels.route.origin", "XX", "'XX' is not an ISO 3166 alpha-2 code"),
        ("labels.prices.0.currency", "EURO", "'EURO' is not ISO 4217"),
        ("labels.prices.0.kind", "each", "kind 'each' is not one of"),
        ("labels.prices.0.amount", 0, "must be a positive number"),
        ("labels.documents", ["passport", "passport"], "documents lists a value twice"),
        ("labels.transport", ["rocket"], "'rocket' is not one of"),
        ("labels.phones.0", "+218913307453", "its digits do not occur in the text"),
        ("labels.phones.0", "+21891330745", "is not a valid number"),
        ("labels.phones.0", "00218913307452", "must be an E.164 string"),
        ("labels.handles.0.value", "@boza_test", "write it without '@'"),
        ("labels.handles.0.platform", "myspace", "platform 'myspace' is not one of"),
        ("labels.emails", ["someone@example.org"], "does not occur in the text"),
    ],
)
def test_the_checker_reports_each_defect(tmp_path: Path, path: str, value: Any, message: str) -> None:
    problems = _check(tmp_path, [_broken(path, value)])
    assert any(message in problem for problem in problems), problems


def test_the_checker_reports_duplicate_ids_across_files(tmp_path: Path) -> None:
    YAML().dump([VALID_ENTRY], tmp_path / "decoys_extra.yaml")
    problems = _check(tmp_path, [VALID_ENTRY])
    assert [p for p in problems if p.startswith("duplicate id")], problems


def test_phones_may_be_obfuscated_or_spelled_out(tmp_path: Path) -> None:
    spelled = _broken("text", VALID_ENTRY["text"].replace("٠٩١٣٣٠٧٤٥٢", "0 9 1 . 3🔥3 0 . 7 4 5 2"))
    french = _broken("text", "zéro six, cinquante et un, quarante-deux, quatre-vingt-neuf, trente-sept")
    french["labels"] = {**french["labels"], "phones": ["+33651428937"], "handles": [], "places": []}
    french["labels"]["route"] = {"origin": None, "transit": [], "destination": None}
    french["id"] = "ar-901"
    assert _check(tmp_path, [spelled, french]) == []
