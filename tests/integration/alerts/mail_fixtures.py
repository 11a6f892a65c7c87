"""The real SMTP server as pytest fixtures, shared by every integration test that sends mail
(tests/integration/alerts, tests/integration/workbench): a throw-away certificate authority per
session, the test CA made the one OpenSSL trusts, aiosmtpd with STARTTLS and AUTH on 127.0.0.1, and
the SMTP settings that reach it. A conftest imports the fixtures it needs from here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from alerts.smtp import SmtpSettings
from tests.integration.alerts.support import (
    SMTP_PASSWORD,
    SMTP_USER,
    CertificateFiles,
    LocalMailServer,
    make_certificates,
)


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> CertificateFiles:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def trust_test_ca(certificates: CertificateFiles, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the test CA the one OpenSSL trusts (code under test builds its own default contexts),
    and put the SMTP password where radar.config.secrets looks for it."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca_file))
    monkeypatch.setenv("SMOKKELRADAR_SMTP_PASSWORD", SMTP_PASSWORD)


@pytest.fixture
def mail_server(certificates: CertificateFiles, trust_test_ca: None) -> Iterator[LocalMailServer]:
    server = LocalMailServer(certificates, tls="starttls")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(mail_server: LocalMailServer, certificates: CertificateFiles) -> SmtpSettings:
    return SmtpSettings(
        host="127.0.0.1",
        port=mail_server.port,
        tls="starttls",
        username=SMTP_USER,
        password=SecretStr(SMTP_PASSWORD),
        sender="radar@test.invalid",
        timeout=5.0,
        ca_file=Path(certificates.ca_file),
    )
