"""Incidents the analysts hear about once: a quiet source, drifted selectors, a failing job, bad config.

An incident is opened when its condition first holds and mailed to ``analysts_mailbox`` once
(retried on a later check if the mail server did not take it); it is closed when the condition
clears, so the next occurrence is a new incident with a new mail.
"""

from __future__ import annotations

from collections.abc import Callable

from radar.logs import get_logger
from radar.runs import RunHistory

log = get_logger("scheduler.health")

# A source whose last QUIET_RUNS successful crawls brought no new advert has gone quiet.
QUIET_RUNS = 3

# Sends (subject, text) to the analysts; raises when the mail server does not accept it.
Notify = Callable[[str, str], None]


def raise_incident(history: RunHistory, notify: Notify, key: str, subject: str, text: str) -> bool:
    """Open (or keep open) incident ``key`` and mail it unless that was done; True when mailed now."""
    incident = history.open_incident(key, text)
    if incident.mailed_at is not None:
        return False
    try:
        notify(subject, text)
    except Exception as error:  # the mail server's trouble must not break the job that noticed
        log.warning("maintenance mail not sent; will retry", extra={"incident": key, "reason": str(error)})
        return False
    history.mark_mailed(incident.id)
    log.warning("incident reported to the analysts", extra={"incident": key})
    return True


def clear_incident(history: RunHistory, key: str) -> None:
    if history.close_incident(key):
        log.info("incident closed", extra={"incident": key})


def check_source(history: RunHistory, notify: Notify, source: str) -> None:
    """After a crawl of ``source``: report it when it went quiet or its selectors stopped matching."""
    runs = [run for run in history.recent(f"crawl:{source}", 20) if run.outcome == "ok"][:QUIET_RUNS]
    quiet_key, drift_key = f"source-quiet:{source}", f"selector-drift:{source}"
    if len(runs) == QUIET_RUNS and all(run.counts.get("adverts new", 0) == 0 for run in runs):
        raise_incident(
            history,
            notify,
            quiet_key,
            f"source {source} returned no new adverts",
            f"The last {QUIET_RUNS} crawls of source '{source}' brought no new adverts "
            f"(latest at {runs[0].started_at:%Y-%m-%d %H:%M} UTC). The site may have changed, blocked us, "
            f"or gone quiet. Check it with: smokkelradar sources check {source}",
        )
    elif runs and runs[0].counts.get("adverts new", 0) > 0:
        clear_incident(history, quiet_key)
    if runs and runs[0].counts.get("selector misses", 0) > 0:
        raise_incident(
            history,
            notify,
            drift_key,
            f"selectors of source {source} stopped matching",
            f"The latest crawl of source '{source}' reported {runs[0].counts['selector misses']} "
            "page(s) where a configured selector matched nothing (selector drift). The crawl log names "
            f"the URLs and selectors. Check it with: smokkelradar sources check {source}",
        )
    elif runs:
        clear_incident(history, drift_key)
