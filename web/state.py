"""Everything a request handler needs, opened once when the app starts and closed when it stops."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from indexer.pins import Pins
from web.accounts import Accounts
from web.audit import AuditLog
from web.search_gate import SearchGate
from web.sessions import Sessions
from web.settings import WebSettings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

# Requests run in a thread pool (40 threads by default); give each one a connection (the search
# gate lets only a few searches through at a time, but pages of other kinds search too).
ES_CONNECTIONS = 48


@dataclass
class WebState:
    settings: WebSettings
    client: Elasticsearch
    accounts: Accounts
    sessions: Sessions
    audit: AuditLog
    pins: Pins
    owns_client: bool
    search_gate: SearchGate  # the searches of this worker, first come first served

    @classmethod
    def open(cls, settings: WebSettings, client: Elasticsearch | None = None) -> WebState:
        owns = client is None
        if client is None:
            client = make_search_client(settings)
        return cls(
            settings=settings,
            client=client,
            accounts=Accounts(
                settings.accounts_path,
                max_failures=settings.lockout_failures,
                lock_minutes=settings.lockout_minutes,
                max_address_failures=settings.lockout_address_failures,
            ),
            sessions=Sessions(
                settings.sessions_path,
                idle_minutes=settings.session_idle_minutes,
                max_hours=settings.session_max_hours,
            ),
            audit=AuditLog(settings.audit_path),
            pins=Pins(settings.pins_path),
            owns_client=owns,
            search_gate=SearchGate(settings.search_slots, settings.searches_per_slot),
        )

    def close(self) -> None:
        for store in (self.accounts, self.sessions, self.audit, self.pins):
            store.close()
        if self.owns_client:
            self.client.close()


def make_search_client(settings: WebSettings) -> Elasticsearch:
    """The indexer's client options for radar.yaml's cluster, a connection per request thread, orjson,
    and for a plain-http cluster the lean HTTP node of :mod:`web.es_node`."""
    from elasticsearch import Elasticsearch
    from elasticsearch.serializer import OrjsonSerializer

    from indexer.client import client_options
    from radar.errors import Code, RadarError
    from web.es_node import PlainHttpNode, serves

    if settings.es is None:
        raise RadarError(Code.WEB_INSECURE_SETUP, "no Elasticsearch configured for the web app")
    options = client_options(settings.es)
    if serves(settings.es.url, options):
        # http.client instead of urllib3 under the client: less Python per search (web.es_node).
        options["node_class"] = PlainHttpNode
    # orjson reads a page of hits (tens of kilobytes of JSON) several times faster than json.
    return Elasticsearch(**options, connections_per_node=ES_CONNECTIONS, serializer=OrjsonSerializer())
