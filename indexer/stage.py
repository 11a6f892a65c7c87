"""Indexing as a step of the pipeline: open the spool, the near-duplicate store and the pins,
make sure the index exists, and drain under the writer lock.

``run_index_stage`` is what ``radar.cycle`` and the scheduler call; ``smokkelradar index``
calls :func:`drain_spool` with its own options.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.bulk import Drainer, DrainOptions, DrainReport
from indexer.client import check_reachable, make_client
from indexer.dedup import NearDuplicates
from indexer.locks import writer_lock
from indexer.pins import Pins
from indexer.settings import IndexerSettings
from indexer.spool import Spool
from indexer.templates import ensure_adverts_index

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

STAGE_GIVE_UP_S = 60.0


def drain_spool(
    settings: IndexerSettings,
    client: Elasticsearch,
    options: DrainOptions | None = None,
    *,
    wait_for_lock: float = 0.0,
) -> DrainReport:
    """Index everything waiting in the spool (see ``indexer.bulk``)."""
    ensure_adverts_index(client, settings.names)
    with writer_lock(settings.lock_path, "index the spool", wait_seconds=wait_for_lock):
        spool = Spool(settings.spool_path)
        store = NearDuplicates(settings.near_duplicates_path, settings.near_duplicate_threshold)
        pins = Pins(settings.pins_path)
        try:
            return Drainer(client, settings.names.alias, spool, store, pins, options).run()
        finally:
            pins.close()
            store.close()
            spool.close()


@contextmanager
def connected(radar_yaml: Path) -> Iterator[tuple[IndexerSettings, Elasticsearch]]:
    """The indexer's settings and a client that answered, from radar.yaml (commands use this)."""
    from radar.config.loader import load_config

    config = load_config(radar_yaml)
    settings = IndexerSettings.from_config(config)
    client = make_client(config.radar.elasticsearch)
    try:
        check_reachable(client, config.radar.elasticsearch.url)
        yield settings, client
    finally:
        client.close()


def run_index_stage(radar_yaml: Path) -> dict[str, int]:
    """One indexing run for the cycle: ``{"indexed": n, "dead": n, "waiting": n}``.

    When Elasticsearch is down the stage fails with a clear message and every entry stays in
    the spool for the next run.
    """
    with connected(radar_yaml) as (settings, client):
        report = drain_spool(settings, client, DrainOptions(give_up_after=STAGE_GIVE_UP_S))
    with Spool(settings.spool_path) as spool:
        waiting = spool.counts().pending
    return {"indexed": report.indexed, "dead": report.dead, "waiting": waiting}
