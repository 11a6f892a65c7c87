"""The spool survives Elasticsearch going away in the middle of a drain: nothing lost, nothing doubled.

This test starts its own throwaway node (like tests/integration/test_es_node.py's slow test),
drains a few thousand adverts into it, stops the node while the drain runs, starts it again,
and checks that the drain caught up on its own.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from corpus_items import corpus_items

from indexer.bulk import Drainer, DrainOptions, DrainReport
from indexer.dedup import NearDuplicates
from indexer.spool import Spool
from indexer.templates import IndexNames, ensure_adverts_index

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = [pytest.mark.es, pytest.mark.slow]

COPIES = 8  # of the corpus, ~3,300 adverts


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_until(condition: Callable[[], bool], what: str, limit_s: float = 300.0) -> None:
    """Poll for a state change of the system under test (a guard against hanging, not a timing check)."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.05)


@pytest.mark.timeout(1200)
def test_drain_catches_up_after_elasticsearch_was_stopped_and_started(tmp_path: Path) -> None:
    from elasticsearch import Elasticsearch
    from elasticsearch.helpers import scan

    from indexer.node import NodeSettings, launcher

    repo = Path(__file__).resolve().parents[3]
    # Under /tmp: the node runs as an unprivileged user that cannot enter pytest's tmp_path.
    data_dir = Path(tempfile.mkdtemp(prefix="smokkelradar-es-outage-"))
    node = NodeSettings(
        data_dir=data_dir,
        http_port=_free_port(),
        transport_port=_free_port(),
        cache_dir=repo / ".cache" / "elasticsearch",
    )
    items = [
        dict(item, id=f"{item['id']}#{n}", text=f"{item['text']} #{n}")
        for n in range(COPIES)
        for item in corpus_items()
    ]
    names = IndexNames("outage")
    spool = Spool(tmp_path / "spool.sqlite")
    watcher = Spool(tmp_path / "spool.sqlite")  # the test's own connection, to watch progress
    store = NearDuplicates(tmp_path / "nd.sqlite", threshold=0.8)
    outcome: list[DrainReport | BaseException] = []
    try:
        launcher.start(node, timeout=240)
        with Elasticsearch(node.url, request_timeout=10, max_retries=0) as client:
            ensure_adverts_index(client, names)
            spool.put_many(items)
            options = DrainOptions(
                batch_size=100, chunk_size=50, give_up_after=900, initial_backoff=0.5, max_backoff=5.0
            )
            drainer = Drainer(client, names.alias, spool, store, options=options)

            def drain() -> None:
                try:
                    outcome.append(drainer.run())
                except BaseException as error:
                    outcome.append(error)

            thread = threading.Thread(target=drain, daemon=True)
            thread.start()
            wait_until(lambda: watcher.counts().pending < len(items) - 300, "the first acknowledgements")
            launcher.stop(node)  # Elasticsearch goes away in the middle of the drain
            wait_until(lambda: watcher.counts().retrying > 0, "the drain to notice the outage")
            stalled = watcher.counts()
            assert stalled.pending + stalled.leased > 0  # work was left when the node went away
            assert thread.is_alive()

            launcher.start(node, timeout=240)  # ... and comes back
            thread.join(timeout=900)
            assert not thread.is_alive()

            (report,) = outcome
            assert isinstance(report, DrainReport), report
            assert report.outages >= 1
            assert report.dead == 0
            assert report.stopped == "spool empty"
            assert watcher.counts().as_dict() == {"pending": 0, "leased": 0, "retrying": 0, "dead": 0}
            client.indices.refresh(index=names.alias)
            stored = [
                hit["_source"]["advert_id"] for hit in scan(client, index=names.alias, _source=["advert_id"])
            ]
            assert len(stored) == len(items)  # nothing doubled ...
            assert set(stored) == {item["id"] for item in items}  # ... nothing lost
    finally:
        spool.close()
        watcher.close()
        store.close()
        launcher.stop(node)
        shutil.rmtree(data_dir, ignore_errors=True)
