"""Scoring the pipeline against the labelled corpus (``tests/sites/corpus/adverts_*.yaml``).

Each field is compared as a set of items per advert and micro-averaged:

=================  ===========================================================
language           accuracy of the primary language (also on adverts < 8 words)
route              (slot, country) with slot origin / transit / destination
route_countries    the countries of the route, roles ignored
places             (folded name, country) of every named place (flags left out:
                   the corpus files disagree on listing them)
place_roles        (folded name, role)
prices             (amount, currency)
price_kinds        (amount, currency, kind)
documents, transport, phones, emails   the values
handles            (platform, lower-cased value)
relevance          ROC AUC of the score against ``relevant``
=================  ===========================================================
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "sites" / "corpus"
SHORT_WORDS = 8
FIELDS = (
    "route", "route_countries", "places", "place_roles", "prices", "price_kinds", "documents",
    "transport", "phones", "handles", "emails",
)  # fmt: skip

Item = tuple[Any, ...] | str


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set[Item], expected: set[Item]) -> None:
        self.tp += len(predicted & expected)
        self.fp += len(predicted - expected)
        self.fn += len(expected - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "support": self.tp + self.fn,
        }


@dataclass
class Report:
    adverts: int = 0
    language_hits: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    short_language_hits: list[bool] = field(default_factory=list)
    fields: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_language: dict[str, dict[str, Counts]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Counts))
    )
    scores: list[tuple[float, bool]] = field(default_factory=list)
    mistakes: list[dict[str, Any]] = field(default_factory=list)

    def language_accuracy(self, language: str | None = None) -> float:
        hits = (
            self.language_hits[language] if language else [h for v in self.language_hits.values() for h in v]
        )
        return sum(hits) / len(hits) if hits else 0.0

    def as_dict(self) -> dict[str, Any]:
        languages = sorted(self.language_hits)
        return {
            "adverts": self.adverts,
            "language": {
                "accuracy": round(self.language_accuracy(), 4),
                "short_accuracy": round(_mean(self.short_language_hits), 4),
                "short_adverts": len(self.short_language_hits),
                "by_language": {lang: round(self.language_accuracy(lang), 4) for lang in languages},
            },
            "fields": {name: self.fields[name].as_dict() for name in FIELDS},
            "by_language": {
                lang: {name: self.by_language[lang][name].as_dict() for name in FIELDS} for lang in languages
            },
            "relevance_auc": round(roc_auc(self.scores), 4),
        }


def _mean(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 0.0


def roc_auc(scored: list[tuple[float, bool]]) -> float:
    """Probability that a random relevant advert outscores a random decoy (ties count half)."""
    positives = [s for s, relevant in scored if relevant]
    negatives = [s for s, relevant in scored if not relevant]
    if not positives or not negatives:
        return 0.0
    ranked = sorted(scored, key=lambda pair: pair[0])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average_rank = (i + j + 1) / 2  # 1-based ranks i+1..j
        rank_sum += average_rank * sum(1 for k in range(i, j) if ranked[k][1])
        i = j
    n_pos, n_neg = len(positives), len(negatives)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def load_corpus(directory: Path = CORPUS_DIR) -> list[dict[str, Any]]:
    """Every entry of every ``adverts_*.yaml`` and ``decoys_*.yaml`` (extra hard negatives)."""
    yaml = YAML(typ="safe")
    entries: list[dict[str, Any]] = []
    for path in sorted([*directory.glob("adverts_*.yaml"), *directory.glob("decoys_*.yaml")]):
        data = yaml.load(path.read_text(encoding="utf-8")) or []
        entries.extend(entry for entry in data if isinstance(entry, dict))
    return entries


def advert_text(entry: dict[str, Any]) -> str:
    """Title and text as one string: the labels cover both."""
    title = entry.get("title")
    return f"{title}\n{entry.get('text', '')}" if title else str(entry.get("text", ""))


def expected_items(entry: dict[str, Any], fold: Callable[[str], str]) -> dict[str, set[Item]]:
    labels = entry.get("labels") or {}
    route = labels.get("route") or {}
    places = [p for p in labels.get("places") or [] if not _is_flag(p.get("text", ""))]
    return _items(
        route.get("origin"), route.get("transit") or [], route.get("destination"),
        [(fold(p["text"]), p["country"], p["role"]) for p in places],
        [(float(p["amount"]), p["currency"], p["kind"]) for p in labels.get("prices") or []],
        labels.get("documents") or [], labels.get("transport") or [], labels.get("phones") or [],
        [(h["platform"], str(h["value"]).lower()) for h in labels.get("handles") or []],
        [str(e).lower() for e in labels.get("emails") or []],
    )  # fmt: skip


def predicted_items(record: dict[str, Any], fold: Callable[[str], str]) -> dict[str, set[Item]]:
    route = record["route"]
    places: dict[str, tuple[str, str, str]] = {}
    for place in record["places"]:
        if _is_flag(place["text"]):
            continue
        key = fold(place["text"])
        if key not in places or (places[key][2] == "none" and place["role"] != "none"):
            places[key] = (key, place["country"], place["role"])
    return _items(
        route["origin"], route["transit"], route["destination"], list(places.values()),
        [(float(p["amount"]), p["currency"], p["kind"]) for p in record["prices"]],
        record["documents"], record["transport"], [p["e164"] for p in record["phones"]],
        [(h["platform"], h["value"].lower()) for h in record["handles"]], record["emails"],
    )  # fmt: skip


def _items(
    origin: str | None, transit: Iterable[str], destination: str | None, places: list[tuple[str, str, str]],
    prices: list[tuple[float, str, str]], documents: Iterable[str], transport: Iterable[str],
    phones: Iterable[str], handles: Iterable[tuple[str, str]], emails: Iterable[str],
) -> dict[str, set[Item]]:  # fmt: skip
    route: set[Item] = {("transit", c) for c in transit}
    if origin:
        route.add(("origin", origin))
    if destination:
        route.add(("destination", destination))
    return {
        "route": route,
        "route_countries": {item[1] for item in route if isinstance(item, tuple)},
        "places": {(name, country) for name, country, _ in places},
        "place_roles": {(name, role) for name, _, role in places},
        "prices": {(amount, currency) for amount, currency, _ in prices},
        "price_kinds": set(prices),
        "documents": set(documents),
        "transport": set(transport),
        "phones": set(phones),
        "handles": set(handles),
        "emails": set(emails),
    }


def _is_flag(text: str) -> bool:
    return bool(text) and all(0x1F1E6 <= ord(c) <= 0x1F1FF for c in text)


def evaluate(
    entries: list[dict[str, Any]], records: list[dict[str, Any]], fold: Callable[[str], str]
) -> Report:
    """Compare pipeline records with the labels of the same entries (same order)."""
    report = Report()
    for entry, record in zip(entries, records, strict=True):
        language = entry["lang"]
        report.adverts += 1
        correct = record["language"] == language
        report.language_hits[language].append(correct)
        if len(advert_text(entry).split()) < SHORT_WORDS:
            report.short_language_hits.append(correct)
        expected, predicted = expected_items(entry, fold), predicted_items(record, fold)
        wrong: dict[str, Any] = {}
        for name in FIELDS:
            report.fields[name].add(predicted[name], expected[name])
            report.by_language[language][name].add(predicted[name], expected[name])
            if predicted[name] != expected[name]:
                wrong[name] = {"missing": sorted(map(str, expected[name] - predicted[name])),
                               "extra": sorted(map(str, predicted[name] - expected[name]))}  # fmt: skip
        if not correct:
            wrong["language"] = {"expected": language, "got": record["language"]}
        report.scores.append((float(record["score"]), bool(entry["relevant"])))
        if wrong:
            mistake = {"id": entry["id"], "score": record["score"], "relevant": entry["relevant"]}
            report.mistakes.append({**mistake, **wrong})
    return report
