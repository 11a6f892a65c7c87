"""Serving the web app with uvicorn, in one process or several worker processes.

Several workers let the app use every core (Python runs one thread at a time per process).
uvicorn starts each worker as a fresh process and builds the app there from an import
string, so the app is described by data: the path of radar.yaml and the web options, handed
to the workers in the environment variable ``SMOKKELRADAR_WEB``. Each worker opens its own
connections to the stores and to Elasticsearch. Nothing that must agree between workers
lives in a worker's memory: sessions, lock-out counters and the audit log are SQLite files
in WAL mode that every worker reads and writes (see ``web.store``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from radar.errors import Code, RadarError

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
    return create_app(WebSettings.from_config(load_config(spec.config), **spec.options))


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
    """Run uvicorn until interrupted; ``workers`` processes share the listening socket."""
    import uvicorn

    if not 1 <= workers <= MAX_WORKERS:
        raise RadarError(
            Code.WEB_INSECURE_SETUP, f"--workers must be between 1 and {MAX_WORKERS}, got {workers}"
        )
    os.environ[ENVIRONMENT] = spec.to_json()  # inherited by the worker processes
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
        server_header=False,
        # Only a proxy named by the operator may set the client address (audit log, throttling).
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
        log_level="warning",
    )
