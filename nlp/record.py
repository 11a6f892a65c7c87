"""The plain enrichment record of one advert: what ``smokkelradar enrich`` prints and the
crawler stores. Field by field in docs/enrichment.md."""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

from nlp.annotations import Analysis, analysis_of

RECORD_FIELDS: tuple[str, ...] = (
    "language", "language_confidence", "languages", "places", "route", "prices", "documents",
    "transport", "phones", "handles", "emails", "score", "rules", "truncated",
)  # fmt: skip


def record_of(doc: Doc) -> dict[str, Any]:
    """The record of an enriched ``Doc`` (without ``id``: the caller owns identity)."""
    return record_of_analysis(analysis_of(doc))


def record_of_analysis(state: Analysis) -> dict[str, Any]:
    route = state.route
    return {
        "language": state.language,
        "language_confidence": state.language_confidence,
        "languages": list(state.languages),
        "places": [
            {
                "text": p.text,
                "start": p.start,
                "end": p.end,
                "country": p.country,
                "role": p.role,
                "lat": p.lat,
                "lon": p.lon,
            }
            for p in state.places
        ],
        "route": {"origin": route.origin, "transit": list(route.transit), "destination": route.destination},
        "prices": [
            {
                "amount": p.amount,
                "currency": p.currency,
                "eur": p.eur,
                "kind": p.kind,
                "start": p.start,
                "end": p.end,
            }
            for p in state.prices
        ],
        "documents": list(state.documents),
        "transport": list(state.transport),
        "phones": [
            {"e164": p.e164, "region": p.region, "start": p.start, "end": p.end} for p in state.phones
        ],
        "handles": [{"platform": h.platform, "value": h.value} for h in state.handles],
        "emails": list(state.emails),
        "score": state.score,
        "rules": [{"rule": r.rule, "weight": r.weight} for r in state.rules],
        "truncated": state.truncated,
    }


def empty_record(*, truncated: bool = False) -> dict[str, Any]:
    """The record of an advert nothing could be read from (kept, never dropped)."""
    return {
        "language": "und", "language_confidence": 0.0, "languages": [], "places": [],
        "route": {"origin": None, "transit": [], "destination": None}, "prices": [], "documents": [],
        "transport": [], "phones": [], "handles": [], "emails": [], "score": 0.0, "rules": [],
        "truncated": truncated,
    }  # fmt: skip
