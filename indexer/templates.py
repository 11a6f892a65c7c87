"""Index names, the composable index template, and the versioned adverts index behind its alias.

Names follow ``index_prefix`` from radar.yaml: adverts live in ``<prefix>-adverts-v<N>`` and
everyone reads and writes through the alias ``<prefix>-adverts``; ``indexer.migrate`` moves
the alias to ``v<N+1>`` atomically. The component template ``<prefix>-advert-fields``
(analysis + mappings, from ``indexer.fields``) makes up the index template together with the
index settings; :func:`ensure_adverts_index` puts both on every start, so a new index version
always gets the current mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from indexer.fields import MAPPING_VERSION, advert_mappings, advert_properties, analysis_settings
from radar.errors import Code, RadarError
from radar.logs import get_logger

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = get_logger("indexer.templates")

TEMPLATE_PRIORITY = 200


@dataclass(frozen=True)
class IndexNames:
    """Every Elasticsearch name derived from one prefix."""

    prefix: str

    @property
    def alias(self) -> str:
        return f"{self.prefix}-adverts"

    @property
    def template(self) -> str:
        return f"{self.prefix}-adverts"

    @property
    def fields_component(self) -> str:
        """Analysis and mappings of an advert; the alerts' percolator index composes it too."""
        return f"{self.prefix}-advert-fields"

    @property
    def pattern(self) -> str:
        return f"{self.prefix}-adverts-v*"

    def index(self, version: int) -> str:
        return f"{self.prefix}-adverts-v{version}"

    def version_of(self, index: str) -> int | None:
        """``<prefix>-adverts-v7`` -> 7; None for a name that is not one of our versions."""
        found = re.fullmatch(re.escape(self.prefix) + r"-adverts-v(\d+)", index)
        return int(found.group(1)) if found else None


# Fewer, larger segments than Elasticsearch's default merge policy keeps (2mb, 10 per tier).
# Every search looks its terms up in each segment of all 24 text fields, so each segment adds a
# fixed share to every search, however small it is: on the 1,000,000-advert index, 5 segments
# instead of 17 took about a fifth off Elasticsearch's CPU per search (docs/benchmarks.md,
# issue 7), for 5-15 % more of its CPU per indexed advert. Segments under floor_segment count
# as that big, so the drain's small ones are merged together early.
MERGE_POLICY: dict[str, Any] = {
    "merge.policy.floor_segment": "100mb",
    "merge.policy.segments_per_tier": 4,
}


def index_settings() -> dict[str, Any]:
    return {
        "number_of_shards": 1,
        # No replica on a single node (green), one as soon as there is a second node.
        "auto_expand_replicas": "0-1",
        **MERGE_POLICY,
    }


def put_templates(client: Elasticsearch, names: IndexNames) -> None:
    """Put the component template and the index template (idempotent; run on every start).

    Analysis and mappings share one component template because Elasticsearch checks each
    component on its own: mappings that name our analyzers need them alongside.
    """
    meta = {"managed_by": "smokkelradar", "mapping_version": MAPPING_VERSION}
    client.cluster.put_component_template(
        name=names.fields_component,
        template={"settings": {"analysis": analysis_settings()}, "mappings": advert_mappings()},
        meta=meta,
    )
    client.indices.put_index_template(
        name=names.template,
        index_patterns=[names.pattern],
        composed_of=[names.fields_component],
        template={"settings": index_settings()},
        priority=TEMPLATE_PRIORITY,
        meta=meta,
    )


def alias_indices(client: Elasticsearch, names: IndexNames) -> list[str]:
    """The indices behind the alias (normally one), oldest version first; [] when there is no alias."""
    found = client.options(ignore_status=404).indices.get_alias(name=names.alias)
    if found.meta.status == 404:
        return []
    return sorted(found.body, key=lambda index: names.version_of(index) or 0)


def current_index(client: Elasticsearch, names: IndexNames) -> str | None:
    """The index the alias writes to, or None when the alias does not exist yet."""
    indices = alias_indices(client, names)
    return indices[-1] if indices else None


def existing_versions(client: Elasticsearch, names: IndexNames) -> list[int]:
    found = client.indices.get(index=names.pattern, expand_wildcards="all", ignore_unavailable=True)
    return sorted(v for v in (names.version_of(index) for index in found) if v is not None)


def ensure_adverts_index(client: Elasticsearch, names: IndexNames) -> str:
    """Templates put, alias present: return the index behind the alias, creating ``v1`` when needed.

    An existing index gets new fields in place (additive mapping changes) and the current merge
    policy; a mapping change it cannot take is reported with the advice to migrate, and indexing
    goes on with the old mapping.
    """
    put_templates(client, names)
    index = current_index(client, names)
    if index is not None:
        _update_mapping_in_place(client, index)
        # Dynamic settings: an index created before they changed takes them as it is (its next
        # merges follow them).
        client.indices.put_settings(index=index, settings={"index": MERGE_POLICY})
        return index
    if client.indices.exists(index=names.alias) and not client.indices.exists_alias(name=names.alias):
        raise RadarError(
            Code.INDEX_ALIAS_CONFLICT,
            f"an index named {names.alias} exists, so it cannot be the alias of the adverts index; "
            "it was probably created by writing to it before the template was in place. Move its "
            f"documents away (or delete it) and run `smokkelradar index` again",
        )
    versions = existing_versions(client, names)
    version = (versions[-1] + 1) if versions else 1
    index = names.index(version)
    response = client.options(ignore_status=400).indices.create(
        index=index, aliases={names.alias: {"is_write_index": True}}
    )
    if response.meta.status == 400:
        # Another process created it between our check and our request; use whatever won.
        winner = current_index(client, names)
        if winner is None:
            raise RadarError(Code.INDEX_ALIAS_CONFLICT, f"could not create {index}: {response.body}")
        return winner
    log.info("created adverts index", extra={"index": index, "alias": names.alias})
    return index


def _update_mapping_in_place(client: Elasticsearch, index: str) -> None:
    from elasticsearch import BadRequestError

    try:
        client.indices.put_mapping(
            index=index,
            properties=advert_properties(),
            dynamic="strict",
            meta={"mapping_version": MAPPING_VERSION},
        )
    except BadRequestError as error:
        log.warning(
            "the index cannot take the current mapping in place; run `smokkelradar index migrate`",
            extra={"index": index, "reason": str(error)},
        )
