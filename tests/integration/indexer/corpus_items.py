"""Test helper: the labelled demo corpus as enriched advert items (crawler item + NLP record).

The labels of ``tests/sites/corpus/adverts_*.yaml`` are what a perfect enrichment would
produce, so turning them into the record of issue 4 gives realistic documents to index
without running the NLP pipeline. Offsets are found in the text; EUR amounts use a small
fixed rate table (good enough for facets and price filters).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

CORPUS_DIR = Path(__file__).resolve().parents[2] / "sites" / "corpus"
KINDS = {"telegram": "telegram", "forum": "listing", "feed": "feed", "sitemap": "sitemap", "js": "rendered"}
EUR_PER_UNIT = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "TRY": 0.027, "LYD": 0.19, "IRR": 0.000022}


@cache
def corpus_entries() -> tuple[dict[str, Any], ...]:
    entries: list[dict[str, Any]] = []
    for path in sorted(CORPUS_DIR.glob("adverts_*.yaml")):
        entries.extend(YAML(typ="safe").load(path.read_text(encoding="utf-8")) or [])
    return tuple(entries)


def entry(entry_id: str) -> dict[str, Any]:
    return next(e for e in corpus_entries() if e["id"] == entry_id)


def _span(text: str, needle: str) -> tuple[int | None, int | None]:
    start = text.find(needle)
    return (start, start + len(needle)) if start >= 0 else (None, None)


def enriched_item(
    raw: dict[str, Any], *, source: str | None = None, advert_id: str | None = None
) -> dict[str, Any]:
    """The item the crawler would spool for this corpus entry, enrichment nested as the NLP record."""
    labels = raw["labels"]
    text: str = raw["text"]
    posted = raw["posted"]
    posted_at = (
        posted if isinstance(posted, datetime) else datetime.fromisoformat(str(posted).replace("Z", "+00:00"))
    )
    channel = raw["channel"]
    source = source or f"demo-{channel}"
    places = []
    for place in labels.get("places") or []:
        start, end = _span(text, place["text"])
        places.append({**place, "start": start, "end": end, "lat": None, "lon": None})
    prices = []
    for price in labels.get("prices") or []:
        rate = EUR_PER_UNIT.get(price["currency"])
        prices.append(
            {
                **price,
                "eur": None if rate is None else round(price["amount"] * rate, 2),
                "start": None,
                "end": None,
            }
        )
    phones = [
        {"e164": number, "region": None, "start": None, "end": None} for number in labels.get("phones") or []
    ]
    route = labels.get("route") or {}
    item_id = advert_id or f"{source}:{raw['id']}"
    return {
        "id": item_id,
        "source": source,
        "kind": KINDS[channel],
        "url": f"http://127.0.0.1:8123/{channel}/{raw['id']}",
        "fetched_at": (posted_at + timedelta(hours=1)).isoformat(),
        "posted_at": posted_at.isoformat(),
        "title": raw.get("title"),
        "text": text,
        "author": raw.get("author"),
        "outlinks": [],
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "enrichment": {
            "id": item_id,
            "language": raw["lang"],
            "language_confidence": 0.9,
            "languages": [raw["lang"]],
            "places": places,
            "route": {
                "origin": route.get("origin"),
                "transit": list(route.get("transit") or []),
                "destination": route.get("destination"),
            },
            "prices": prices,
            "documents": list(labels.get("documents") or []),
            "transport": list(labels.get("transport") or []),
            "phones": phones,
            "handles": list(labels.get("handles") or []),
            "emails": list(labels.get("emails") or []),
            "score": 0.9 if raw["relevant"] else 0.1,
            "rules": [{"rule": "corpus.label", "weight": 1.0}],
            "truncated": False,
        },
    }


def corpus_items(languages: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    return [enriched_item(e) for e in corpus_entries() if languages is None or e["lang"] in languages]
