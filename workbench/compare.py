"""What changes for the sampled adverts between two enrichments: tags per field, relevance across
the alert thresholds, and the saved searches that would match.

Each advert comes as (stored advert, fields under the baseline, fields under the proposal), the
fields as ``workbench.enriched`` builds them. Every advert that gains or loses a tag is listed
(by advert id), so a reviewer can check the whole effect, not only the examples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.enriched import text_of
from workbench.sample import Stored

Document = Mapping[str, Any]


def _route(doc: Document) -> set[str]:
    route = doc.get("route") or {}
    items = {f"via {country}" for country in route.get("transit") or []}
    items |= {f"{end} {route[end]}" for end in ("origin", "destination") if route.get(end)}
    return items


FIELD_ITEMS: dict[str, Callable[[Document], set[str]]] = {
    "language": lambda d: {d["language"]} if d.get("language") else set(),
    "languages": lambda d: set(d.get("languages") or []),
    "route": _route,
    "countries": lambda d: set(d.get("countries") or []),
    "places": lambda d: {f"{p.get('text')} ({p.get('country')})" for p in d.get("places") or []},
    "prices": lambda d: {f"{p.get('amount'):g} {p.get('currency')}" for p in d.get("prices") or []},
    "documents": lambda d: set(d.get("documents") or []),
    "transport": lambda d: set(d.get("transport") or []),
    "phones": lambda d: {p.get("e164") for p in d.get("phones") or [] if p.get("e164")},
    "handles": lambda d: {f"{h.get('platform')} {h.get('value')}" for h in d.get("handles") or []},
    "emails": lambda d: set(d.get("emails") or []),
    "rules": lambda d: {r.get("rule") for r in d.get("rules") or [] if r.get("rule")},
}


@dataclass(frozen=True)
class Example:
    advert_id: str
    source: str
    snippet: str
    detail: str  # what changed for this advert

    def as_dict(self) -> dict[str, str]:
        return {
            "advert_id": self.advert_id,
            "source": self.source,
            "snippet": self.snippet,
            "detail": self.detail,
        }


def snippet(stored: Stored, width: int = 160) -> str:
    text = " ".join(text_of(stored.source).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def example(stored: Stored, detail: str) -> Example:
    advert_id = str(stored.source.get("advert_id") or stored.doc_id)
    return Example(advert_id, str(stored.source.get("source") or ""), snippet(stored), detail)


@dataclass
class FieldChange:
    """Adverts gaining and losing items of one field, with every advert id per item."""

    name: str
    gained: dict[str, list[str]] = field(default_factory=dict)  # item -> advert ids
    lost: dict[str, list[str]] = field(default_factory=dict)
    adverts_gaining: int = 0
    adverts_losing: int = 0
    examples: list[Example] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.name,
            "adverts_gaining": self.adverts_gaining,
            "adverts_losing": self.adverts_losing,
            "gained": self.gained,
            "lost": self.lost,
            "examples": [e.as_dict() for e in self.examples],
        }


def field_changes(
    adverts: Sequence[tuple[Stored, Document, Document]], examples: int = 3
) -> list[FieldChange]:
    """Per field, only fields where some advert changed."""
    changes: list[FieldChange] = []
    for name, items in FIELD_ITEMS.items():
        change = FieldChange(name)
        for stored, before, after in adverts:
            old, new = items(before), items(after)
            advert_id = str(stored.source.get("advert_id") or stored.doc_id)
            for item in sorted(new - old):
                change.gained.setdefault(item, []).append(advert_id)
            for item in sorted(old - new):
                change.lost.setdefault(item, []).append(advert_id)
            change.adverts_gaining += bool(new - old)
            change.adverts_losing += bool(old - new)
            if new != old and len(change.examples) < examples:
                detail = ", ".join(
                    [*(f"+{i}" for i in sorted(new - old)), *(f"-{i}" for i in sorted(old - new))]
                )
                change.examples.append(example(stored, detail))
        if change.gained or change.lost:
            change.gained = {item: sorted(ids) for item, ids in sorted(change.gained.items())}
            change.lost = {item: sorted(ids) for item, ids in sorted(change.lost.items())}
            changes.append(change)
    return changes


@dataclass
class ThresholdChange:
    threshold: float
    rose: list[str] = field(default_factory=list)  # advert ids now at or above the threshold
    fell: list[str] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "rose": self.rose, "fell": self.fell,
                "examples": [e.as_dict() for e in self.examples]}  # fmt: skip


def threshold_changes(
    adverts: Sequence[tuple[Stored, Document, Document]], thresholds: Sequence[float], examples: int = 3
) -> list[ThresholdChange]:
    changes = []
    for threshold in sorted(set(thresholds)):
        change = ThresholdChange(threshold)
        for stored, before, after in adverts:
            old, new = float(before.get("score") or 0.0), float(after.get("score") or 0.0)
            advert_id = str(stored.source.get("advert_id") or stored.doc_id)
            if old < threshold <= new:
                change.rose.append(advert_id)
            elif new < threshold <= old:
                change.fell.append(advert_id)
            else:
                continue
            if len(change.examples) < examples:
                change.examples.append(example(stored, f"score {old:.3f} → {new:.3f}"))
        change.rose.sort()
        change.fell.sort()
        changes.append(change)
    return changes


@dataclass
class SearchChange:
    search: str
    matched_before: int = 0
    matched_after: int = 0
    gained: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "search": self.search, "matched_before": self.matched_before, "matched_after": self.matched_after,
            "gained": self.gained, "lost": self.lost, "examples": [e.as_dict() for e in self.examples],
            "error": self.error,
        }  # fmt: skip


def counts(values: Mapping[str, list[str]]) -> Counter[str]:
    return Counter({item: len(ids) for item, ids in values.items()})
