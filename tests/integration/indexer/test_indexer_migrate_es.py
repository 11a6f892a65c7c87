"""Migration: a new index version, a client-side copy and an atomic alias swap while officers search."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pytest
from corpus_items import corpus_items

from indexer.migrate import migrate
from indexer.templates import alias_indices

if TYPE_CHECKING:
    from conftest import Index
    from elasticsearch import Elasticsearch

    from indexer.templates import IndexNames

pytestmark = pytest.mark.es


class Searcher(threading.Thread):
    """Searches the alias over and over, recording totals, serving index and errors."""

    def __init__(self, client: Elasticsearch, alias: str) -> None:
        super().__init__(daemon=True)
        self.client, self.alias = client, alias
        self.totals: list[int] = []
        self.served_by: list[str] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()
        self.done = threading.Condition()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                found = self.client.search(index=self.alias, query={"match": {"text": "boat"}}, size=1)
                total, hits = found["hits"]["total"]["value"], found["hits"]["hits"]
            except BaseException as error:
                total, hits = -1, []
                self.errors.append(error)
            with self.done:
                self.totals.append(total)
                self.served_by.append(hits[0]["_index"] if hits else "")
                self.done.notify_all()

    def wait_for(self, count: int) -> None:
        """Wait until ``count`` searches have completed in all (each started after the previous)."""
        with self.done:
            assert self.done.wait_for(lambda: len(self.totals) >= count, timeout=60), "no more searches"


def test_migration_swaps_the_alias_while_searches_keep_working(
    es_client: Elasticsearch, names: IndexNames, index: Index
) -> None:
    items = corpus_items()
    index(items)
    before = es_client.search(index=names.alias, query={"match": {"text": "boat"}}, size=0)["hits"]["total"][
        "value"
    ]
    assert before > 0
    searcher = Searcher(es_client, names.alias)
    searcher.start()
    searcher.wait_for(1)  # searching before the migration starts ...

    report = migrate(es_client, names)

    searcher.wait_for(len(searcher.totals) + 2)  # ... and after the swap (the next search starts after it)
    searcher.stop.set()
    searcher.join(timeout=60)
    assert searcher.errors == []
    assert set(searcher.totals) == {before}  # never an empty, half-filled or doubled result
    assert searcher.served_by[0] == names.index(1)
    assert searcher.served_by[-1] == names.index(2)
    assert report.old_index == names.index(1)
    assert report.new_index == names.index(2)
    assert report.copied == len(items)
    assert alias_indices(es_client, names) == [names.index(2)]
    assert es_client.indices.exists(index=names.index(1))  # kept for a rollback
    assert es_client.count(index=names.index(2))["count"] == len(items)


def test_copied_documents_are_the_same_and_new_adverts_go_to_the_new_version(
    es_client: Elasticsearch, names: IndexNames, index: Index
) -> None:
    items = corpus_items(("fr", "ar"))
    index(items[:-1])
    some_id = es_client.search(index=names.alias, size=1)["hits"]["hits"][0]["_id"]
    old_doc = es_client.get(index=names.index(1), id=some_id)["_source"]

    migrate(es_client, names, delete_old=True)
    index(items[-1:])

    assert es_client.get(index=names.index(2), id=some_id)["_source"] == old_doc
    assert not es_client.indices.exists(index=names.index(1))
    assert es_client.count(index=names.alias)["count"] == len(items)
    assert es_client.count(index=names.index(2))["count"] == len(items)


def test_a_failed_copy_leaves_the_alias_where_it_was(
    es_client: Elasticsearch, names: IndexNames, index: Index
) -> None:
    index(corpus_items(("nl",)))

    def broken(document: Mapping[str, Any]) -> dict[str, Any]:
        if document["language"] == "nl":
            raise ValueError("a transform that breaks")
        return dict(document)

    with pytest.raises(ValueError, match="a transform that breaks"):
        migrate(es_client, names, transform=broken)

    assert alias_indices(es_client, names) == [names.index(1)]
    assert not es_client.indices.exists(index=names.index(2))


def test_migrating_without_an_index_creates_the_first_version(
    es_client: Elasticsearch, names: IndexNames
) -> None:
    report = migrate(es_client, names)

    assert report.old_index is None
    assert alias_indices(es_client, names) == [names.index(1)]
