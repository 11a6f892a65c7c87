"""Fixtures of the workbench integration tests: the real Elasticsearch node, a real SMTP server
(aiosmtpd with STARTTLS and AUTH on 127.0.0.1, ``tests.integration.alerts.mail_fixtures``) and a
configuration in tmp_path with adverts of the demo corpus indexed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.integration.alerts.mail_fixtures import certificates, mail_server, trust_test_ca
from tests.integration.alerts.support import LocalMailServer
from tests.integration.alerts.world import remove_templates
from tests.integration.workbench.world import World, make_world

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

__all__ = ["certificates", "mail_server", "trust_test_ca"]  # fixtures used by the tests here


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
