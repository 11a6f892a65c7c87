"""Serving the web app with uvicorn, in one process or several worker processes.

Several workers let the app use every core (Python runs one thread at a time per process).
Each worker is a fresh process that builds the app from data: the path of radar.yaml and the
web options, handed to it in the environment variable ``SMOKKELRADAR_WEB``. Each worker opens
its own connections to the stores and to Elasticsearch. Nothing that must agree between workers
lives in a worker's memory: sessions, lock-out counters and the audit log are SQLite files in
WAL mode that every worker reads and writes (see ``web.store``).

One worker is plain uvicorn on the listening socket bound here. Several are run by
``web.supervisor``, which accepts the connections itself and hands them out in turn, so that
keep-alive connections are shared evenly between the workers (why: ``web.supervisor``).
"""

from __future__ import annotations

import errno
import gc
import json
import os
import socket
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

from radar.errors import Code, RadarError

if TYPE_CHECKING:
    import uvicorn

ENVIRONMENT = "SMOKKELRADAR_WEB"
APP_FACTORY = "web.serve:app_from_environment"
MAX_WORKERS = 32


@dataclass(frozen=True)
class ServeSpec:
    """What each worker needs to build the app: radar.yaml and the options of ``smokkelradar web``."""

    config: Path
    options: dict[str, Any] = field(default_factory=dict)  # WebSettings fields (JSON values only)

    def to_json(self) -> str:
        return json.dumps({"config": str(self.config.resolve()), "options": self.options})

    @classmethod
    def from_json(cls, text: str) -> ServeSpec:
        data = json.loads(text)
        return cls(Path(data["config"]), dict(data["options"]))


def app_from_environment() -> FastAPI:
    """uvicorn's app factory, run once in every worker process."""
    from radar.config.loader import load_config
    from web.app import create_app
    from web.settings import WebSettings

    text = os.environ.get(ENVIRONMENT)
    if not text:
        raise RadarError(
            Code.WEB_INSECURE_SETUP, f"{ENVIRONMENT} is not set: start the app with `smokkelradar web`"
        )
    spec = ServeSpec.from_json(text)
    app = create_app(WebSettings.from_config(load_config(spec.config), **spec.options))
    settle_garbage_collector()
    return app


def settle_garbage_collector() -> None:
    """Keep what start-up built (modules, the app, its stores) out of Python's full collections.

    A worker holds some 130,000 objects after start-up, nearly all of them for its whole life. Under
    load the cyclic garbage collector went through all of them in every full (oldest-generation)
    collection, about every 2 s, each a pause of 100-300 ms for every request in that worker
    (measured in docs/benchmarks.md, issue 7, fifth session). Frozen, they are skipped; the
    collector still collects everything made afterwards.
    """
    gc.collect()
    gc.freeze()


@dataclass(frozen=True)
class ServerOptions:
    """How uvicorn serves each connection: TLS and the trusted proxy (the same in every worker)."""

    tls_cert: str | None = None
    tls_key: str | None = None
    forwarded_allow_ips: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServerOptions:
        return cls(**json.loads(text))


def uvicorn_config(options: ServerOptions) -> uvicorn.Config:
    """uvicorn's configuration of the app, for one process or for each worker."""
    import uvicorn

    return uvicorn.Config(
        APP_FACTORY,
        factory=True,
        ssl_certfile=options.tls_cert,
        ssl_keyfile=options.tls_key,
        server_header=False,
        # Only a proxy named by the operator may set the client address (audit log, throttling).
        proxy_headers=options.forwarded_allow_ips is not None,
        forwarded_allow_ips=options.forwarded_allow_ips,
        log_level="warning",
    )


def listen(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """The listening socket on ``host``:``port``, or an error that names them (port taken, bad host)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # As uvicorn does: a port left in TIME_WAIT by the previous run can be bound again at once.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError as error:
        sock.close()
        why = (
            "the port is taken (is another smokkelradar web, or another server, running there?)"
            if error.errno == errno.EADDRINUSE
            else error.strerror or str(error)
        )
        raise RadarError(Code.WEB_CANNOT_LISTEN, f"cannot listen on {host}:{port}: {why}") from error
    return sock


def serve(
    spec: ServeSpec,
    *,
    host: str,
    port: int,
    workers: int = 1,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
    forwarded_allow_ips: str | None = None,
) -> None:
    """Serve until interrupted: one uvicorn process, or ``workers`` behind a supervisor."""
    import uvicorn

    from web.supervisor import Supervisor

    if not 1 <= workers <= MAX_WORKERS:
        raise RadarError(
            Code.WEB_INSECURE_SETUP, f"--workers must be between 1 and {MAX_WORKERS}, got {workers}"
        )
    options = ServerOptions(
        str(tls_cert) if tls_cert else None, str(tls_key) if tls_key else None, forwarded_allow_ips
    )
    os.environ[ENVIRONMENT] = spec.to_json()  # read by the app factory, inherited by the workers
    sock = listen(host, port)
    try:
        if workers == 1:
            uvicorn.Server(uvicorn_config(options)).run(sockets=[sock])
        else:
            Supervisor(sock, workers, options).run()
    finally:
        sock.close()
