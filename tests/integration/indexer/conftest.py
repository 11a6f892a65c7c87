"""Fixtures for the indexer's integration tests: an index prefix, settings in tmp_path, a drain."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from indexer.bulk import Drainer, DrainOptions, DrainReport
from indexer.dedup import NearDuplicates
from indexer.pins import Pins
from indexer.settings import IndexerSettings
from indexer.spool import Spool
from indexer.templates import IndexNames, ensure_adverts_index

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


@pytest.fixture
def names(es_client: Elasticsearch, index_name: Callable[[str], str]) -> Iterator[IndexNames]:
    """A unique prefix; its indices and index template are removed by ``index_name``, the component here."""
    prefix = IndexNames(index_name("idx"))
    yield prefix
    es_client.options(ignore_status=404).indices.delete_index_template(name=prefix.template)
    es_client.options(ignore_status=404).cluster.delete_component_template(name=prefix.fields_component)


@pytest.fixture
def settings(names: IndexNames, tmp_path: Path) -> IndexerSettings:
    return IndexerSettings(
        names=names,
        spool_dir=tmp_path / "spool",
        state_dir=tmp_path / "state",
        evidence_dir=tmp_path / "evidence",
        near_duplicate_threshold=0.8,
        retention_days=365,
    )


@pytest.fixture
def spool(settings: IndexerSettings) -> Iterator[Spool]:
    opened = Spool(settings.spool_path)
    yield opened
    opened.close()


@pytest.fixture
def store(settings: IndexerSettings) -> Iterator[NearDuplicates]:
    opened = NearDuplicates(settings.near_duplicates_path, settings.near_duplicate_threshold)
    yield opened
    opened.close()


@pytest.fixture
def pins(settings: IndexerSettings) -> Iterator[Pins]:
    opened = Pins(settings.pins_path)
    yield opened
    opened.close()


Index = Callable[..., DrainReport]


@pytest.fixture
def index(
    es_client: Elasticsearch, names: IndexNames, spool: Spool, store: NearDuplicates, pins: Pins
) -> Index:
    """``index(items)``: spool the items and drain them (refreshing the index afterwards)."""
    ensure_adverts_index(es_client, names)

    def run(items: Iterable[dict[str, Any]] = (), **options: Any) -> DrainReport:
        spool.put_many(items)
        drain_options = DrainOptions(refresh=True, **options)
        return Drainer(es_client, names.alias, spool, store, pins, drain_options).run()

    return run
