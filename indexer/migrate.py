"""``smokkelradar index migrate``: a new index version with the current mapping, swapped in atomically.

1. Put the current templates; create ``<prefix>-adverts-v<N+1>`` (it takes the new mapping).
2. Copy every document client-side (scroll + ``streaming_bulk``; ``_reindex`` is not available
   on every cluster), passing each through ``with_language_fields`` or a given transform.
3. Check the copy is complete (same number of documents), then move the alias from ``v<N>``
   to ``v<N+1>`` in one ``update_aliases`` call.

Searches go to the alias, so they read the old version until the swap and the new one
after it, never a half-filled index. Writers (the drain, retention, pins) hold the same lock
as the migration, so nothing is written to the old version after it was copied; meanwhile
new adverts simply wait in the spool. A failed copy deletes the half-built version and
leaves the alias where it was. The old version is kept (for a rollback) unless
``delete_old`` is given.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from indexer.document import with_language_fields
from indexer.templates import (
    IndexNames,
    current_index,
    ensure_adverts_index,
    existing_versions,
    put_templates,
)
from radar.errors import Code, RadarError
from radar.logs import get_logger

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = get_logger("indexer.migrate")

Transform = Callable[[Mapping[str, Any]], dict[str, Any]]
SCROLL_PAGE = 1000


@dataclass(frozen=True)
class MigrationReport:
    old_index: str | None
    new_index: str
    copied: int
    seconds: float
    old_deleted: bool


def _copy_actions(
    client: Elasticsearch, source: str, target: str, transform: Transform
) -> Iterator[dict[str, Any]]:
    from elasticsearch.helpers import scan

    for hit in scan(client, index=source, query={"query": {"match_all": {}}}, size=SCROLL_PAGE, scroll="10m"):
        yield {"_op_type": "index", "_index": target, "_id": hit["_id"], "_source": transform(hit["_source"])}


def copy_documents(client: Elasticsearch, source: str, target: str, transform: Transform) -> int:
    """Copy every document; raise RadarError(INDEX_MIGRATION_FAILED) on any failure."""
    from elasticsearch.helpers import streaming_bulk

    copied, failures = 0, []
    for ok, info in streaming_bulk(
        client,
        _copy_actions(client, source, target, transform),
        chunk_size=500,
        max_retries=5,
        initial_backoff=1.0,
        retry_on_status=(429, 502, 503, 504),
        raise_on_error=False,
    ):
        if ok:
            copied += 1
        else:
            failures.append(info)
    if failures:
        first = failures[0].get("index", {})
        raise RadarError(
            Code.INDEX_MIGRATION_FAILED,
            f"{len(failures)} documents could not be copied from {source} to {target}; first: "
            f"{first.get('_id')}: {first.get('error')}",
        )
    return copied


def migrate(
    client: Elasticsearch,
    names: IndexNames,
    *,
    transform: Transform = with_language_fields,
    delete_old: bool = False,
) -> MigrationReport:
    """Move the adverts to a new index version. Hold ``indexer.locks.writer_lock`` around this."""
    started = time.monotonic()
    put_templates(client, names)
    old = current_index(client, names)
    if old is None:
        created = ensure_adverts_index(client, names)
        return MigrationReport(None, created, 0, time.monotonic() - started, False)
    new = names.index(max([*existing_versions(client, names), names.version_of(old) or 0]) + 1)
    # No refresh while copying: faster, and nobody searches the new version before the swap.
    client.indices.create(index=new, settings={"index": {"refresh_interval": "-1"}})
    try:
        copied = copy_documents(client, old, new, transform)
        client.indices.put_settings(index=new, settings={"index": {"refresh_interval": None}})
        client.indices.refresh(index=new)
        expected = int(client.count(index=old)["count"])
        present = int(client.count(index=new)["count"])
        if present != expected:
            raise RadarError(
                Code.INDEX_MIGRATION_FAILED,
                f"{new} holds {present} documents after the copy, {old} holds {expected}; alias not moved",
            )
    except BaseException:
        client.options(ignore_status=404).indices.delete(index=new)
        raise
    client.indices.update_aliases(
        actions=[
            {"remove": {"index": old, "alias": names.alias}},
            {"add": {"index": new, "alias": names.alias, "is_write_index": True}},
        ]
    )
    log.info("alias moved", extra={"alias": names.alias, "from": old, "to": new, "documents": copied})
    if delete_old:
        client.indices.delete(index=old)
    return MigrationReport(old, new, copied, time.monotonic() - started, delete_old)
