"""The demo's background services, derived from one radar.yaml.

``make run`` brings up what the demo configuration needs on 127.0.0.1: the
local Elasticsearch node (when ``elasticsearch.local_node.enabled``), the demo
web (at ``$SMOKKELRADAR_DEMO_WEB``) and the demo mailbox (an SMTP server at
``smtp.host:smtp.port``, delivering into ``<data.base>/mailbox``) and the
officers' web app on 127.0.0.1:8960 with a demo login. Deriving
ports and folders from the configuration keeps the crawler, the alerts and
these services pointing at the same places.
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from radar import daemon
from radar.config.radar import RadarConfig
from radar.errors import Code, RadarError

LOOPBACK = "127.0.0.1"
WEB_APP_PORT = 8960
DEMO_LOGIN_NAME = "demo"


@dataclass(frozen=True)
class DemoServices:
    """Where each demo service lives, as the configuration says."""

    run_dir: Path
    maildir: Path
    es_data_dir: Path | None  # None: an external cluster, not ours to start
    es_port: int
    mailbox: daemon.Service | None  # None: a real mail server, not ours to start
    demo_web: daemon.Service | None  # None: SMOKKELRADAR_DEMO_WEB unset
    web_app: daemon.Service
    demo_login_file: Path  # name and password of the demo account, readable by its owner only


def plan(radar: RadarConfig, radar_yaml: Path, *, stopping: bool = False) -> DemoServices:
    """Which services the configuration asks for, without starting anything.

    ``stopping``: for ``down`` and ``status``, which find a running demo web by its pid file, so
    they need no ``SMOKKELRADAR_DEMO_WEB`` in the shell.
    """
    base = radar.data.base
    maildir = base / "mailbox"
    node = radar.elasticsearch.local_node
    mailbox = None
    if radar.smtp.host == LOOPBACK and radar.smtp.tls == "none":
        argv = (sys.executable, "-m", "radar", "mailbox", "serve", "--port", str(radar.smtp.port))
        mailbox = daemon.Service("mailbox", (*argv, "--maildir", str(maildir)), radar.smtp.port)
    return DemoServices(
        run_dir=base / "run",
        maildir=maildir,
        es_data_dir=radar.es_data_dir if node.enabled else None,
        es_port=node.http_port,
        mailbox=mailbox,
        demo_web=_demo_web_service(stopping),
        web_app=daemon.Service(
            "web",
            (sys.executable, "-m", "radar", "web", "--config", str(radar_yaml), "--port", str(WEB_APP_PORT)),
            WEB_APP_PORT,
        ),
        demo_login_file=base / "demo-login.txt",
    )


def ensure_demo_login(radar_yaml: Path, login_file: Path) -> tuple[str, str]:
    """The demo account's name and password, creating both on first use.

    The password is random per machine (never a shared default) and kept in
    a file only its owner can read, so ``make run`` can print it.
    """
    if login_file.exists():
        name, password = login_file.read_text().split("\n")[:2]
        return name, password
    from radar.config.loader import load_config
    from web.accounts import Accounts
    from web.settings import WebSettings

    password = secrets.token_urlsafe(12)
    accounts = Accounts(WebSettings.from_config(load_config(radar_yaml)).accounts_path)
    if accounts.get(DEMO_LOGIN_NAME) is None:
        accounts.add(DEMO_LOGIN_NAME, "admin", password)
    else:
        accounts.set_password(DEMO_LOGIN_NAME, password)
    login_file.parent.mkdir(parents=True, exist_ok=True)
    login_file.touch(mode=0o600)
    login_file.write_text(f"{DEMO_LOGIN_NAME}\n{password}\n")
    return DEMO_LOGIN_NAME, password


def _demo_web_service(stopping: bool = False) -> daemon.Service | None:
    url = os.environ.get("SMOKKELRADAR_DEMO_WEB")
    if not url:
        if stopping:
            from radar.commands.demo_cmd import service

            return service(LOOPBACK)  # the pid file is named after the service, not its port
        return None
    parts = urlsplit(url)
    if parts.hostname != LOOPBACK or parts.port is None:
        raise RadarError(
            Code.SERVICE_START_FAILED,
            f"SMOKKELRADAR_DEMO_WEB={url}: the demo web runs on http://127.0.0.1:<port> only",
        )
    from radar.commands.demo_cmd import service

    return service(LOOPBACK, parts.port)
