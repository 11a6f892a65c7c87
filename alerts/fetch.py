"""Reading matched adverts back for a mail: the documents, with the saved search's terms highlighted.

Matching asks Elasticsearch only for ids (cheap, many searches); the full documents and
highlights are fetched once per mail, for the few adverts in it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from indexer.highlight import Span
from indexer.query import highlight
from indexer.search import hit_highlights

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


@dataclass(frozen=True)
class FetchedAdvert:
    doc_id: str
    source: dict[str, Any]
    highlights: Mapping[str, Sequence[Span]]  # "title" / "text" -> spans in that field


def fetch_for_mail(
    client: Elasticsearch, alias: str, query: Mapping[str, Any] | None, doc_ids: Sequence[str]
) -> dict[str, FetchedAdvert]:
    """The adverts ``doc_ids`` by id, highlighted for ``query``; adverts gone from the index are absent."""
    if not doc_ids:
        return {}
    found: dict[str, FetchedAdvert] = {}
    if query is not None:
        response = client.search(
            index=alias,
            query={"bool": {"must": [dict(query)], "filter": [{"ids": {"values": list(doc_ids)}}]}},
            highlight=highlight(),
            size=len(doc_ids),
            ignore_unavailable=True,
        )
        for hit in response["hits"]["hits"]:
            source = hit["_source"]
            found[hit["_id"]] = FetchedAdvert(
                hit["_id"], source, hit_highlights(source, hit.get("highlight", {}))
            )
    missing = [doc_id for doc_id in doc_ids if doc_id not in found]
    if missing:
        # Changed since it matched (re-enriched) or no query given: show it without highlights.
        response = client.search(
            index=alias, query={"ids": {"values": missing}}, size=len(missing), ignore_unavailable=True
        )
        for hit in response["hits"]["hits"]:
            found[hit["_id"]] = FetchedAdvert(hit["_id"], hit["_source"], {})
    return found
