"""Fixtures of the workbench integration tests: the real Elasticsearch node, a real SMTP server
(aiosmtpd with STARTTLS and AUTH on 127.0.0.1, from the alerts tests' support module) and a
configuration in tmp_path with adverts of the demo corpus indexed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.integration.alerts.support import (
    SMTP_PASSWORD,
    CertificateFiles,
    LocalMailServer,
    make_certificates,
)
from tests.integration.alerts.world import remove_templates
from tests.integration.workbench.world import World, make_world

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> CertificateFiles:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def mail_server(certificates: CertificateFiles, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalMailServer]:
    # The code under test builds default TLS contexts: make the test CA the one they trust.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca_file))
    monkeypatch.setenv("SMOKKELRADAR_SMTP_PASSWORD", SMTP_PASSWORD)
    server = LocalMailServer(certificates, tls="starttls")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def world(
    tmp_path: Path,
    es_client: Elasticsearch,
    es_url: str,
    index_name: Callable[[str], str],
    mail_server: LocalMailServer,
) -> Iterator[World]:
    prefix = index_name("workbench")
    made = make_world(tmp_path / "config", es_client, es_url, prefix, mail_server.port)
    yield made
    remove_templates(es_client, prefix)
