"""Fixtures of the alerts integration tests: a real SMTP server with STARTTLS and AUTH on 127.0.0.1
(``mail_fixtures``, shared with the workbench tests) and a configuration on the real Elasticsearch node."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.integration.alerts.mail_fixtures import certificates, mail_server, smtp_settings, trust_test_ca
from tests.integration.alerts.support import LocalMailServer
from tests.integration.alerts.world import World, make_world, remove_templates

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

__all__ = ["certificates", "mail_server", "smtp_settings", "trust_test_ca"]  # fixtures used by the tests here


@pytest.fixture
def world(
    tmp_path: Path,
    es_client: Elasticsearch,
    es_url: str,
    index_name: Callable[[str], str],
    mail_server: LocalMailServer,
) -> Iterator[World]:
    """A configuration in tmp_path on the real Elasticsearch node and the real SMTP server."""
    prefix = index_name("alerts")
    made = make_world(tmp_path / "config", es_client, es_url, prefix, mail_server)
    yield made
    remove_templates(es_client, prefix)
