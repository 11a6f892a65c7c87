"""Secrets come from the environment, never from YAML.

Configuration files are shared, reviewed and copied; a password in one leaks. The loader
refuses any key that looks like a secret and any URL with a password in it, and tells the
user which environment variable to set instead. ``read_secrets`` is the one place that
reads those variables.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import SecretStr

from radar.config.radar import RadarConfig
from radar.errors import Code, RadarError

ES_PASSWORD = "SMOKKELRADAR_ES_PASSWORD"  # noqa: S105 (names of variables, not secrets)
ES_API_KEY = "SMOKKELRADAR_ES_API_KEY"
SMTP_PASSWORD = "SMOKKELRADAR_SMTP_PASSWORD"  # noqa: S105
SECRET_VARIABLES = (ES_PASSWORD, ES_API_KEY, SMTP_PASSWORD)

_SECRET_WORDS = {"password", "passwd", "passphrase", "secret", "token", "apikey", "credentials"}
# user:password@ in a URL
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s@:]*:[^/\s@]+@", re.IGNORECASE)


def _words(key: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key)  # camelCase -> camel Case
    return re.findall(r"[a-z]+|[0-9]+", spaced.lower())


def is_secret_key(key: str) -> bool:
    """True for keys such as ``password``, ``api_key``, ``smtpPassword``, ``client_secret``, ``token``."""
    words = _words(key)
    pairs = {f"{a}{b}" for a, b in itertools.pairwise(words)}
    return bool(_SECRET_WORDS.intersection(words) or "apikey" in pairs)


def has_url_password(value: str) -> bool:
    return bool(_URL_PASSWORD.search(value))


def proxy_password_variable(name: str) -> str:
    return f"SMOKKELRADAR_PROXY_{name.upper().replace('-', '_')}_PASSWORD"


def variable_for(data_path: Sequence[int | str], key: str) -> str | None:
    """Which environment variable holds the secret someone tried to write at this place."""
    section = data_path[0] if data_path else None
    if section == "elasticsearch":
        return ES_PASSWORD if {"password", "passwd", "passphrase"}.intersection(_words(key)) else ES_API_KEY
    if section == "smtp":
        return SMTP_PASSWORD
    if section == "proxies" and len(data_path) >= 2:
        return proxy_password_variable(str(data_path[1]))
    return None


def secret_key_message(data_path: Sequence[int | str], key: str) -> str:
    variable = variable_for(data_path, key)
    if variable is not None:
        return (
            f"secrets must not be written in YAML: remove '{key}' and set the environment variable {variable}"
        )
    return (
        f"secrets must not be written in YAML: remove '{key}'; passwords and API keys are read from "
        f"environment variables ({', '.join(SECRET_VARIABLES)})"
    )


@dataclass(frozen=True)
class Secrets:
    """The secrets this configuration needs, read from the environment. ``repr`` never shows them."""

    es_password: SecretStr | None = None
    es_api_key: SecretStr | None = None
    smtp_password: SecretStr | None = None


def read_secrets(radar: RadarConfig, environ: Mapping[str, str] | None = None) -> Secrets:
    """Read the secrets ``radar`` needs; raise one error naming every variable that is missing."""
    env = os.environ if environ is None else environ
    needed = []
    if radar.elasticsearch.auth.kind == "basic":
        needed.append(ES_PASSWORD)
    if radar.elasticsearch.auth.kind == "api_key":
        needed.append(ES_API_KEY)
    if radar.smtp.username:
        needed.append(SMTP_PASSWORD)
    missing = [name for name in needed if not env.get(name)]
    if missing:
        raise RadarError(
            Code.CONFIG_MISSING_ENV,
            f"radar.yaml needs secrets from the environment, and these are not set: {', '.join(missing)}",
        )

    def get(name: str) -> SecretStr | None:
        return SecretStr(env[name]) if name in needed else None

    return Secrets(es_password=get(ES_PASSWORD), es_api_key=get(ES_API_KEY), smtp_password=get(SMTP_PASSWORD))


def read_proxy_password(name: str, environ: Mapping[str, str] | None = None) -> SecretStr | None:
    """The password of proxy ``name`` (for a proxy with a ``username``), if set."""
    value = (os.environ if environ is None else environ).get(proxy_password_variable(name))
    return SecretStr(value) if value else None
