"""Mappings as code on the real node: templates put, versioned index behind its alias, strictness."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from corpus_items import corpus_items

from indexer.fields import MAPPING_VERSION
from indexer.templates import IndexNames, current_index, ensure_adverts_index

if TYPE_CHECKING:
    from conftest import Index
    from elasticsearch import Elasticsearch

    from indexer.spool import Spool

pytestmark = pytest.mark.es


def test_templates_and_first_version_behind_the_alias(es_client: Elasticsearch, names: IndexNames) -> None:
    index = ensure_adverts_index(es_client, names)

    assert index == names.index(1)
    assert current_index(es_client, names) == index
    template = es_client.indices.get_index_template(name=names.template)["index_templates"][0]
    assert template["index_template"]["index_patterns"] == [names.pattern]
    assert template["index_template"]["composed_of"] == [names.fields_component]
    assert es_client.cluster.get_component_template(name=names.fields_component)["component_templates"]
    mapping = es_client.indices.get_mapping(index=index)[index]["mappings"]
    assert mapping["dynamic"] == "strict"
    assert mapping["_meta"]["mapping_version"] == MAPPING_VERSION
    assert mapping["properties"]["text_ar"]["analyzer"] == "smokkelradar_arabic"
    assert mapping["properties"]["places"]["properties"]["location"]["type"] == "geo_point"
    assert mapping["properties"]["route"]["dynamic"] == "strict"
    aliases = es_client.indices.get_alias(name=names.alias)
    assert aliases[index]["aliases"][names.alias]["is_write_index"] is True


def test_ensuring_again_keeps_the_index_and_puts_the_template_again(
    es_client: Elasticsearch, names: IndexNames
) -> None:
    first = ensure_adverts_index(es_client, names)
    es_client.indices.delete_index_template(name=names.template)

    assert ensure_adverts_index(es_client, names) == first
    assert es_client.indices.exists_index_template(name=names.template)


def test_corpus_documents_fit_the_mapping(
    es_client: Elasticsearch, names: IndexNames, index: Index, spool: Spool
) -> None:
    items = corpus_items()

    report = index(items)

    assert report.indexed == len(items)
    assert report.dead == 0
    assert es_client.count(index=names.alias)["count"] == len(items)
    assert spool.counts().pending == 0


def test_a_field_the_mapping_does_not_know_is_refused(es_client: Elasticsearch, names: IndexNames) -> None:
    from elasticsearch import BadRequestError

    ensure_adverts_index(es_client, names)
    with pytest.raises(BadRequestError, match="strict_dynamic_mapping_exception"):
        es_client.index(index=names.alias, document={"advert_id": "x", "route": {"orgin": "LY"}})


def merge_policy(client: Elasticsearch, index: str) -> dict[str, str]:
    settings = client.indices.get_settings(index=index, flat_settings=True)[index]["settings"]
    return {key: value for key, value in settings.items() if key.startswith("index.merge.policy.")}


def test_new_and_existing_indices_keep_few_segments(es_client: Elasticsearch, names: IndexNames) -> None:
    wanted = {"index.merge.policy.floor_segment": "100mb", "index.merge.policy.segments_per_tier": "4"}
    assert merge_policy(es_client, ensure_adverts_index(es_client, names)) == wanted  # from the template
    # An index made before the merge policy was part of the template takes it on the next start.
    older = names.index(7)
    es_client.indices.create(index=older, settings={"index.merge.policy.segments_per_tier": 10})
    es_client.indices.update_aliases(
        actions=[
            {"remove": {"index": names.index(1), "alias": names.alias}},
            {"add": {"index": older, "alias": names.alias, "is_write_index": True}},
        ]
    )
    es_client.indices.put_settings(index=older, settings={"index.merge.policy.floor_segment": None})

    assert ensure_adverts_index(es_client, names) == older
    assert merge_policy(es_client, older) == wanted
