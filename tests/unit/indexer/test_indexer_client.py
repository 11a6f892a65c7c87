"""The client factory: URL, TLS options and secrets from the environment only."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.client import client_options, make_client
from radar.config.radar import ElasticsearchConfig
from radar.errors import Code, RadarError


def config(**values: object) -> ElasticsearchConfig:
    return ElasticsearchConfig.model_validate({"url": "https://es.mdt.example:9200", **values})


def test_basic_auth_reads_the_password_from_the_environment() -> None:
    options = client_options(
        config(auth={"kind": "basic", "username": "radar"}), {"SMOKKELRADAR_ES_PASSWORD": "s3cret"}
    )
    assert options["basic_auth"] == ("radar", "s3cret")
    assert options["verify_certs"] is True
    assert options["hosts"] == ["https://es.mdt.example:9200"]


def test_api_key_and_ca_certificate(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    options = client_options(
        config(auth={"kind": "api_key"}, ca_certs=str(ca)), {"SMOKKELRADAR_ES_API_KEY": "k"}
    )
    assert options["api_key"] == "k"
    assert options["ca_certs"] == str(ca)
    assert "basic_auth" not in options


@pytest.mark.parametrize(
    ("auth", "variable"),
    [
        ({"kind": "basic", "username": "radar"}, "SMOKKELRADAR_ES_PASSWORD"),
        ({"kind": "api_key"}, "SMOKKELRADAR_ES_API_KEY"),
    ],
)
def test_a_missing_secret_names_the_variable(auth: dict[str, str], variable: str) -> None:
    with pytest.raises(RadarError, match=variable) as raised:
        client_options(config(auth=auth), {})
    assert raised.value.code == Code.CONFIG_MISSING_ENV


def test_plain_http_needs_no_secret_and_the_client_is_built_lazily() -> None:
    plain = ElasticsearchConfig.model_validate({"url": "http://127.0.0.1:9"})
    assert "verify_certs" not in client_options(plain, {})
    client = make_client(plain, {})  # nothing is sent until first use
    client.close()


def test_the_clients_json_is_orjson_with_the_standard_library_where_orjson_refuses() -> None:
    import json
    from datetime import date, datetime

    from indexer.client import json_serializer

    serializer = json_serializer()
    body = {"query": {"range": {"date": {"gte": date(2026, 10, 1)}}}, "at": datetime(2026, 10, 1, 12)}

    assert serializer.loads(serializer.dumps(body)) == {
        "query": {"range": {"date": {"gte": "2026-10-01"}}},
        "at": "2026-10-01T12:00:00",
    }
    assert json.loads(serializer.dumps({1: "a", "n": 3**50})) == {"1": "a", "n": 3**50}  # beyond orjson
    assert serializer.loads(b"") is None
