"""The saved-search index: every saved search as a document, with its compiled Elasticsearch query.

``<prefix>-saved-searches`` holds one document per saved search: its name and settings, its
filters, and the query ``smokkelradar search`` would run for it, stored as a JSON object that
is kept but not indexed (``enabled: false``). The filters are mapped exactly like the advert
fields they filter (the mapping is derived from ``indexer.fields``), so the web app can list
saved searches by source or country, and a percolator-backed matcher can later add a
``percolator`` field here without a second vocabulary.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from alerts.compile import FILTER_FIELDS, compile_search
from indexer.fields import advert_field_defs, analysis_settings
from radar.config.alerts import SavedSearch

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

MAPPING_VERSION = 1


def saved_searches_index(prefix: str) -> str:
    return f"{prefix}-saved-searches"


def match_batches_index(prefix: str) -> str:
    """Short-lived documents listing a batch of new advert ids, for the matcher's terms lookups."""
    return f"{prefix}-match-batches"


def ensure_batches_index(client: Elasticsearch, index: str) -> None:
    """Nothing in a batch document is indexed: it is only read back by id."""
    from elasticsearch import BadRequestError

    if client.indices.exists(index=index):
        return
    try:
        client.indices.create(
            index=index,
            settings={"number_of_shards": 1, "auto_expand_replicas": "0-1"},
            mappings={"dynamic": False, "properties": {}},
        )
    except BadRequestError as error:
        if error.error != "resource_already_exists_exception":
            raise


@dataclass(frozen=True)
class StoredSearch:
    """What the matcher needs of one saved search."""

    name: str
    query: dict[str, Any]  # the compiled Elasticsearch query (no min_score, no batch filter)
    min_score: float
    fingerprint: str


def _advert_mapping(path: str) -> dict[str, Any]:
    for field in advert_field_defs():
        if field.path == path:
            return dict(field.mapping)
    raise KeyError(f"the adverts mapping has no field {path!r}; alerts.compile.FILTER_FIELDS is out of date")


def saved_search_mappings() -> dict[str, Any]:
    """The mapping of the saved-search index, shared fields taken from the advert field definitions."""
    filters = {key: _advert_mapping(path) for key, path in FILTER_FIELDS.items()}
    return {
        "dynamic": "strict",
        "_meta": {"mapping_version": MAPPING_VERSION, "managed_by": "smokkelradar"},
        "properties": {
            "name": {"type": "keyword"},
            "description": {"type": "text"},
            "enabled": {"type": "boolean"},
            "query_text": {"type": "text"},
            "filters": {"type": "object", "dynamic": "strict", "properties": filters},
            # The query as built by indexer.search, kept verbatim for the matcher.
            "compiled": {"type": "object", "enabled": False},
            "min_score": _advert_mapping("score"),
            "cadence": {"type": "keyword"},
            "delivery": {"type": "keyword"},
            "language": {"type": "keyword"},
            "recipients": {"type": "keyword"},
            "fingerprint": {"type": "keyword"},
            "updated_at": {"type": "date"},
        },
    }


def _filter_values(search: SavedSearch) -> dict[str, Any]:
    data = search.filters.model_dump(by_alias=True, exclude_defaults=True)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in FILTER_FIELDS:
            values[key] = list(value) if isinstance(value, tuple) else value
    return values


def search_document(search: SavedSearch, recipients: Sequence[str]) -> dict[str, Any]:
    compiled = compile_search(search)
    body = {
        "name": search.name,
        "description": search.description,
        "enabled": search.enabled,
        "query_text": search.query,
        "filters": _filter_values(search),
        "compiled": compiled,
        "min_score": search.min_score,
        "cadence": str(search.cadence),
        "delivery": search.delivery,
        "language": search.language,
        "recipients": list(recipients),
    }
    body["fingerprint"] = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    body["updated_at"] = datetime.now(UTC).isoformat()
    return body


def ensure_index(client: Elasticsearch, index: str) -> None:
    """Create the index, or add new fields to it in place (both idempotent)."""
    from elasticsearch import BadRequestError

    mappings = saved_search_mappings()
    if client.indices.exists(index=index):
        client.indices.put_mapping(index=index, properties=mappings["properties"], dynamic="strict")
        return
    try:
        # The adverts' analysis settings, so shared fields can use the same normalizers.
        settings = {"number_of_shards": 1, "auto_expand_replicas": "0-1", "analysis": analysis_settings()}
        client.indices.create(index=index, settings=settings, mappings=mappings)
    except BadRequestError as error:
        if error.error != "resource_already_exists_exception":  # another process was quicker: fine
            raise


def write_searches(
    client: Elasticsearch,
    index: str,
    searches: Mapping[str, SavedSearch],
    recipients: Mapping[str, Sequence[str]],
) -> tuple[int, int]:
    """Make the index hold exactly ``searches``: (documents written or changed, documents deleted)."""
    from elasticsearch.helpers import bulk

    ensure_index(client, index)
    existing = {
        stored.name: stored.fingerprint for stored in read_searches(client, index, enabled_only=False)
    }
    actions: list[dict[str, Any]] = []
    for name, search in searches.items():
        document = search_document(search, recipients[name])
        if existing.get(name) != document["fingerprint"]:
            actions.append({"_op_type": "index", "_index": index, "_id": name, "_source": document})
    removed = [name for name in existing if name not in searches]
    actions += [{"_op_type": "delete", "_index": index, "_id": name} for name in removed]
    if actions:
        bulk(client, actions, refresh="wait_for")
    return len(actions) - len(removed), len(removed)


def read_searches(client: Elasticsearch, index: str, *, enabled_only: bool = True) -> list[StoredSearch]:
    """Every stored saved search, by name."""
    if not client.indices.exists(index=index):
        return []
    query: dict[str, Any] = {"term": {"enabled": True}} if enabled_only else {"match_all": {}}
    found: list[StoredSearch] = []
    after: list[Any] | None = None
    while True:
        page = client.search(
            index=index,
            query=query,
            size=1000,
            sort=[{"name": "asc"}],
            search_after=after,
            source_includes=["name", "compiled", "min_score", "fingerprint"],
        )
        hits = page["hits"]["hits"]
        for hit in hits:
            source = hit["_source"]
            found.append(
                StoredSearch(
                    source["name"], source["compiled"], float(source["min_score"]), source["fingerprint"]
                )
            )
        if len(hits) < 1000:
            return found
        after = hits[-1]["sort"]
