"""Fixtures shared by the whole suite: the local Elasticsearch node and throwaway index names.

``make test`` starts a real Elasticsearch node and exports its URL in
``SMOKKELRADAR_TEST_ES_URL``. Without it, tests that need Elasticsearch fail (they never
skip): a suite that silently skips its search tests proves nothing.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

ES_URL_VARIABLE = "SMOKKELRADAR_TEST_ES_URL"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
HOW_TO_START = (
    "run the suite with `make test`, or start a node with "
    "`.venv/bin/smokkelradar es start --data-dir .data/test-es --port 9251` "
    f"and `export {ES_URL_VARIABLE}=http://127.0.0.1:9251`"
)


@pytest.fixture(scope="session")
def es_url() -> str:
    """The test node's base URL, from SMOKKELRADAR_TEST_ES_URL; only 127.0.0.1 is accepted."""
    url = os.environ.get(ES_URL_VARIABLE, "").strip().rstrip("/")
    if not url:
        pytest.fail(f"{ES_URL_VARIABLE} is not set: {HOW_TO_START}", pytrace=False)
    if urlsplit(url).hostname not in LOOPBACK_HOSTS:
        pytest.fail(
            f"{ES_URL_VARIABLE}={url} is not on 127.0.0.1; tests talk to loopback only", pytrace=False
        )
    return url


@pytest.fixture(scope="session")
def es_client(es_url: str) -> Iterator[Elasticsearch]:
    """The official client, connected to the test node (its product check runs on first use)."""
    from elasticsearch import ConnectionError as EsConnectionError
    from elasticsearch import Elasticsearch

    client = Elasticsearch(es_url, request_timeout=60)
    try:
        client.info()
    except EsConnectionError as error:
        client.close()
        pytest.fail(f"no Elasticsearch answers at {es_url} ({error}): {HOW_TO_START}", pytrace=False)
    yield client
    client.close()


@pytest.fixture
def index_name(es_client: Elasticsearch) -> Iterator[Callable[[str], str]]:
    """Makes index names unique to this test; deletes the indices (and templates) they prefix afterwards.

    ``index_name("adverts")`` gives e.g. ``test-adverts-3f9c0a1b2c``; indices created as
    ``<name>-v1`` behind an alias ``<name>`` are removed as well.
    """
    made: list[str] = []

    def make(purpose: str = "index") -> str:
        slug = re.sub(r"[^a-z0-9_-]+", "-", purpose.lower()).strip("-_") or "index"
        name = f"test-{slug}-{uuid.uuid4().hex[:10]}"
        made.append(name)
        return name

    yield make
    for name in made:
        # Wildcard deletes are refused by default (action.destructive_requires_name), so resolve first.
        found = es_client.indices.get(index=f"{name}*", expand_wildcards="all", ignore_unavailable=True)
        for index in found:
            es_client.indices.delete(index=index, ignore_unavailable=True)
        # A wildcard that matches no template answers 404; that simply means there is nothing to delete.
        templates = es_client.options(ignore_status=404).indices.get_index_template(name=f"{name}*")
        for template in templates.get("index_templates", []):
            es_client.indices.delete_index_template(name=template["name"])
