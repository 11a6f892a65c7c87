"""The Elasticsearch client, built from radar.yaml's ``elasticsearch`` section.

Secrets come from the environment only: ``SMOKKELRADAR_ES_PASSWORD`` for ``auth.kind: basic``,
``SMOKKELRADAR_ES_API_KEY`` for ``auth.kind: api_key``. Only the Elasticsearch secret is
read, so searching never demands, say, the SMTP password.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from indexer.serialize import dumps
from radar.config.radar import ElasticsearchConfig
from radar.config.secrets import ES_API_KEY, ES_PASSWORD
from radar.errors import Code, RadarError

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

REQUEST_TIMEOUT_S = 30.0
# Transport-level retries stay small: the bulk drain and the spool do the patient retrying.
TRANSPORT_RETRIES = 2


def client_options(es: ElasticsearchConfig, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments for ``Elasticsearch(...)``; raises when the needed secret is not set."""
    env = os.environ if environ is None else environ
    options: dict[str, Any] = {
        "hosts": [es.url],
        "request_timeout": REQUEST_TIMEOUT_S,
        "retry_on_timeout": True,
        "max_retries": TRANSPORT_RETRIES,
    }
    if es.url.startswith("https://"):
        options["verify_certs"] = es.verify_certs
        if es.ca_certs is not None:
            options["ca_certs"] = str(es.ca_certs)
    if es.auth.kind == "basic":
        options["basic_auth"] = (es.auth.username or "", _secret(env, ES_PASSWORD, "basic"))
    elif es.auth.kind == "api_key":
        options["api_key"] = _secret(env, ES_API_KEY, "api_key")
    return options


def _secret(env: Mapping[str, str], variable: str, kind: str) -> str:
    value = env.get(variable, "")
    if not value:
        raise RadarError(
            Code.CONFIG_MISSING_ENV,
            f"elasticsearch.auth.kind is '{kind}' in radar.yaml, so the environment variable {variable} "
            "must be set",
        )
    return value


def make_client(es: ElasticsearchConfig, environ: Mapping[str, str] | None = None) -> Elasticsearch:
    """A client for the configured cluster (no request is sent until first use)."""
    from elasticsearch import Elasticsearch

    return Elasticsearch(**client_options(es, environ), serializer=json_serializer())


def json_serializer() -> Any:
    """The client's JSON: orjson both ways (the drain's action lines and bulk answers cost less),
    the standard library for what orjson refuses (``indexer.serialize``)."""
    import orjson
    from elasticsearch.serializer import JsonSerializer

    class FastJsonSerializer(JsonSerializer):
        def json_dumps(self, data: Any) -> bytes:
            return dumps(data, default=self.default)

        def json_loads(self, data: bytes) -> Any:
            return orjson.loads(data)

    return FastJsonSerializer()


def check_reachable(client: Elasticsearch, url: str) -> None:
    """Raise a clear error when the cluster does not answer (commands call this first)."""
    from elasticsearch import ApiError, TransportError

    try:
        client.info()
    except (TransportError, ApiError) as error:
        raise RadarError(
            Code.ES_UNREACHABLE,
            f"Elasticsearch at {url} does not answer ({type(error).__name__}: {error}); "
            "for the local node run `smokkelradar es start`",
        ) from error
