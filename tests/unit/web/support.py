"""Helpers shared by the web tests: a configuration in tmp_path, accounts, and logging in
through the real login form (its double-submit token included)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from radar.config.loader import load_config
from web.accounts import Accounts
from web.settings import WebSettings

PASSWORD = "correct horse battery staple"
SOURCES = """sources:
  - name: demo-forum
    kind: feed
    feed_url: http://127.0.0.1:9/feed.xml
    description: The demo forum's feed.
"""
SEARCHES = """searches:
  - name: libya-italy-boats
    description: Boat crossings from Libya to Italy.
    filters: {from: LY, to: IT, transport: boat}
    min_score: 0.5
    cadence: daily at 07:30
  - name: forged-passports
    query: passport
    filters: {document: passport}
    cadence: immediate
    delivery: per_advert
"""


def write_config(folder: Path, *, es_url: str = "http://127.0.0.1:9", prefix: str = "web-unit") -> Path:
    """A complete configuration under ``folder``; returns its radar.yaml."""
    for sub in ("sources", "keywords", "alerts"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "radar.yaml").write_text(
        f"""elasticsearch:
  url: {es_url}
  index_prefix: {prefix}
smtp:
  host: 127.0.0.1
  port: 2525
  tls: none
  sender: radar@test.invalid
mdt_mailbox: mdt@test.invalid
analysts_mailbox: analysts@test.invalid
user_agent: smokkelradar-tests/0.1
data:
  base: data
timezone: Europe/Amsterdam
""",
        encoding="utf-8",
    )
    (folder / "sources" / "demo.yaml").write_text(SOURCES, encoding="utf-8")
    (folder / "alerts" / "searches.yaml").write_text(SEARCHES, encoding="utf-8")
    (folder / "keywords" / "documents.yaml").write_text(
        "name: documents\ndocuments:\n  - value: passport\n    terms: {en: [passport], ar: [جواز سفر]}\n",
        encoding="utf-8",
    )
    return folder / "radar.yaml"


def settings_for(radar_yaml: Path, **options: Any) -> WebSettings:
    options.setdefault("secure_cookies", False)
    return WebSettings.from_config(load_config(radar_yaml), **options)


def add_user(settings: WebSettings, name: str, role: str, password: str = PASSWORD) -> None:
    accounts = Accounts(settings.accounts_path)
    try:
        accounts.add(name, role, password)
    finally:
        accounts.close()


LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')
CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(client: TestClient, name: str, password: str = PASSWORD, **extra: str) -> Any:
    """Fill in the login form as a browser would; returns the answer to the POST (not followed)."""
    page = client.get("/login")
    token = LOGIN_TOKEN.search(page.text)
    assert token, "the login page has no login token"
    return client.post(
        "/login",
        data={"name": name, "password": password, "login_token": token.group(1), **extra},
        follow_redirects=False,
    )


def csrf_token(client: TestClient, page: str = "/saved") -> str:
    """The session's CSRF token, read from a form of a page as the browser would."""
    found = CSRF_TOKEN.search(client.get(page).text)
    assert found, f"no CSRF field on {page}"
    return found.group(1)
