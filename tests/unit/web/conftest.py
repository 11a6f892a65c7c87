"""Fixtures of the web unit tests: a configuration and the app, with no Elasticsearch behind it.

The pages tested here (login, accounts, audit log, saved searches, configuration) never ask
Elasticsearch anything; the client points at a closed port so a page that did would fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.unit.web.support import add_user, settings_for, write_config
from web.app import create_app
from web.settings import WebSettings

USERS = {"olga": "officer", "arno": "analyst", "adam": "admin"}


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., WebSettings]:
    radar_yaml = write_config(tmp_path / "config")

    def make(**options: Any) -> WebSettings:
        settings = settings_for(radar_yaml, **options)
        for name, role in USERS.items():
            if not settings.accounts_path.exists() or name not in _names(settings):
                add_user(settings, name, role)
        return settings

    return make


def _names(settings: WebSettings) -> set[str]:
    from web.accounts import Accounts

    accounts = Accounts(settings.accounts_path)
    try:
        return {user.name for user in accounts.list()}
    finally:
        accounts.close()


@pytest.fixture
def settings(make_settings: Callable[..., WebSettings]) -> WebSettings:
    return make_settings()


@pytest.fixture
def app(settings: WebSettings) -> Iterator[FastAPI]:
    from elasticsearch import Elasticsearch

    # Port 9 (discard) on loopback: any Elasticsearch request from these pages fails loudly.
    client = Elasticsearch("http://127.0.0.1:9", request_timeout=2, max_retries=0)
    application = create_app(settings, client)
    yield application
    application.state.web.close()
    client.close()


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)
