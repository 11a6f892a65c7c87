"""Fixtures of the web integration tests: the corpus indexed once per session into the real
local Elasticsearch, an app per test (its own accounts and audit log), and the app served by
uvicorn on 127.0.0.1 for the browser tests."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.integration.web.world import ROLES, World, make_world, remove_world
from tests.unit.web.support import add_user
from web.app import create_app
from web.settings import WebSettings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "web"


@pytest.fixture(scope="session")
def web_world(
    es_client: Elasticsearch, es_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    prefix = f"test-web-{uuid.uuid4().hex[:10]}"
    world = make_world(tmp_path_factory.mktemp("web-world"), es_client, es_url, prefix)
    yield world
    remove_world(es_client, prefix)


@pytest.fixture
def make_web_app(web_world: World, tmp_path: Path) -> Iterator[Callable[..., FastAPI]]:
    """``make_web_app(**settings)``: the app on the shared index, with accounts and audit log of this test."""
    made: list[FastAPI] = []

    def make(**options: Any) -> FastAPI:
        settings = replace(web_world.settings, state_dir=tmp_path / f"web-{len(made)}", **options)
        for name, role in ROLES.items():
            add_user(settings, name, role)
        app = create_app(settings)
        made.append(app)
        return app

    yield make
    for app in made:
        app.state.web.close()


@pytest.fixture
def web_app(make_web_app: Callable[..., FastAPI]) -> FastAPI:
    return make_web_app()


@pytest.fixture
def web_client(web_app: FastAPI) -> TestClient:
    return TestClient(web_app)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """The app under uvicorn in a thread, on a free port of 127.0.0.1."""

    def __init__(self, app: FastAPI) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="web-test-server", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def live_settings(web_world: World, tmp_path_factory: pytest.TempPathFactory) -> WebSettings:
    settings = replace(web_world.settings, state_dir=tmp_path_factory.mktemp("live-web"))
    for name, role in ROLES.items():
        add_user(settings, name, role)
    return settings


@pytest.fixture(scope="module")
def live_app(live_settings: WebSettings) -> Iterator[FastAPI]:
    app = create_app(live_settings)
    yield app
    app.state.web.close()


@pytest.fixture(scope="module")
def live_server(live_app: FastAPI) -> Iterator[LiveServer]:
    with LiveServer(live_app) as server:
        yield server


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-quic", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
