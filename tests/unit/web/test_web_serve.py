"""Serving: the listening socket (a taken port is named), the uvicorn options every worker shares, the app
factory of each worker."""

from __future__ import annotations

import gc
import socket
from pathlib import Path

import pytest

from radar.errors import Code, RadarError
from tests.unit.web.support import write_config
from web.serve import ENVIRONMENT, ServerOptions, ServeSpec, app_from_environment, listen, uvicorn_config


def test_a_taken_port_is_refused_with_the_address_named() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(RadarError) as refused:
            listen("127.0.0.1", port)

    assert refused.value.code is Code.WEB_CANNOT_LISTEN
    assert f"cannot listen on 127.0.0.1:{port}: the port is taken" in str(refused.value)


def test_an_address_that_is_not_ours_is_refused_with_the_reason() -> None:
    # 192.0.2.1 (TEST-NET-1) is on no interface of this machine: bind fails, nothing is sent.
    with pytest.raises(RadarError) as refused:
        listen("192.0.2.1", 0)

    assert refused.value.code is Code.WEB_CANNOT_LISTEN
    assert "cannot listen on 192.0.2.1:0: " in str(refused.value)


def test_the_listening_socket_takes_connections() -> None:
    server = listen("127.0.0.1", 0)
    try:
        with socket.create_connection(server.getsockname(), timeout=5):
            connection, _ = server.accept()
            connection.close()
    finally:
        server.close()


def test_the_options_reach_each_worker_unchanged() -> None:
    options = ServerOptions("/etc/web/cert.pem", "/etc/web/key.pem", "127.0.0.1")

    assert ServerOptions.from_json(options.to_json()) == options


def test_forwarded_headers_are_trusted_only_from_a_named_proxy() -> None:
    plain = uvicorn_config(ServerOptions())
    proxied = uvicorn_config(ServerOptions(forwarded_allow_ips="10.1.2.3"))

    assert plain.proxy_headers is False
    assert proxied.proxy_headers is True
    assert proxied.forwarded_allow_ips == "10.1.2.3"
    assert plain.server_header is False and proxied.server_header is False


def test_a_worker_builds_the_app_and_keeps_its_start_up_objects_out_of_full_collections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    radar_yaml = write_config(tmp_path)
    monkeypatch.setenv(ENVIRONMENT, ServeSpec(radar_yaml, {"secure_cookies": False}).to_json())
    gc.unfreeze()
    try:
        app = app_from_environment()
        frozen = gc.get_freeze_count()
        app.state.web.close()
    finally:
        gc.unfreeze()

    assert app.state.web.settings.secure_cookies is False
    assert frozen > 10_000  # the modules and the app built so far
