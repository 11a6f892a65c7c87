"""Alerts as a step of the pipeline (``smokkelradar run``): match what was indexed, mail what is due.

Immediate saved searches are mailed at once; matches of hourly, daily and weekly searches stay
queued in the ledger until ``smokkelradar serve`` reaches their cadence. A mail server that is
down does not fail the stage: the mails stay queued and are counted as send failures.
"""

from __future__ import annotations

from pathlib import Path

from alerts.service import open_service
from indexer.client import check_reachable
from radar.config.loader import load_config


def run_alert_stage(radar_yaml: Path) -> dict[str, int]:
    """One alert run: ``{"alerts sent": n, "new matches": n, "send failures": n}``."""
    config = load_config(radar_yaml)
    service = open_service(config)
    try:
        check_reachable(service.client, config.radar.elasticsearch.url)
        service.sync_searches()
        counts = service.run_immediate()
    finally:
        service.close()
        service.client.close()
    return {
        "alerts sent": counts.delivery.sent,
        "new matches": counts.new_matches,
        "send failures": counts.delivery.failed,
    }
