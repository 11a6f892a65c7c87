"""The field table and what is derived from it: strict nested mappings, analyzers that exist."""

from __future__ import annotations

from typing import Any

from indexer.fields import (
    LANGUAGE_ANALYZERS,
    advert_field_defs,
    advert_mappings,
    advert_properties,
    analysis_settings,
    text_search_fields,
)

BUILT_IN_ANALYZERS = {"persian", "sorani", "turkish", "english", "french", "dutch", "german", "italian"}
BUILT_IN_ANALYZERS |= {"greek", "russian", "standard"}


def walk(properties: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name, mapping in properties.items():
        found[prefix + name] = mapping
        if "properties" in mapping:
            found.update(walk(mapping["properties"], f"{prefix}{name}."))
    return found


def test_every_field_of_the_table_is_mapped_and_objects_are_strict() -> None:
    mapped = walk(advert_properties())
    assert {field.path for field in advert_field_defs()} <= set(mapped)
    objects = [m for m in mapped.values() if "properties" in m]
    assert objects
    assert all(m["dynamic"] == "strict" for m in objects)
    assert advert_mappings()["dynamic"] == "strict"
    assert mapped["extra"] == {"type": "object", "enabled": False}


def test_every_analyzer_and_normalizer_named_is_defined_or_built_in() -> None:
    analysis = analysis_settings()
    for mapping in walk(advert_properties()).values():
        if "analyzer" in mapping:
            assert mapping["analyzer"] in BUILT_IN_ANALYZERS | set(analysis["analyzer"])
        if "normalizer" in mapping:
            assert mapping["normalizer"] in analysis["normalizer"]


def test_each_language_has_text_and_title_copies_that_search_covers() -> None:
    mapped = walk(advert_properties())
    fields = {name.split("^")[0] for name in text_search_fields()}
    for language in LANGUAGE_ANALYZERS:
        assert mapped[f"text_{language}"]["analyzer"] == LANGUAGE_ANALYZERS[language]
        assert {f"text_{language}", f"title_{language}"} <= fields


def test_the_table_is_reusable_for_another_index() -> None:
    # The alerts' percolator index builds on the same properties; each call returns a fresh copy.
    first, second = advert_properties(), advert_properties()
    first["route"]["properties"]["origin"]["type"] = "text"
    assert second["route"]["properties"]["origin"]["type"] == "keyword"


def test_facets_get_eager_global_ordinals_in_the_adverts_mapping_only() -> None:
    mapped = walk(advert_properties())
    facets = {field.path for field in advert_field_defs() if field.facet}

    assert {"languages", "route.origin", "documents", "transport", "source"} <= facets
    assert all(mapped[path]["eager_global_ordinals"] is True for path in facets)
    assert "eager_global_ordinals" not in mapped["cluster.id"]  # one value per advert: built lazily
    # The shared definitions (the alerts' saved-search index maps its filters from them) stay plain.
    assert all("eager_global_ordinals" not in field.mapping for field in advert_field_defs())
