"""Schema of ``radar.yaml``: where Elasticsearch and the mail server are, who gets mail, where data lives.

Relative paths are relative to the folder that holds ``radar.yaml`` (the loader passes it as
``base_dir``), except the data sub-folders, which are relative to ``data.base``. Secrets
(passwords, API keys) are never part of this file; see ``radar.config.secrets``.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from radar.config.base import StrictModel
from radar.config.types import EmailAddress, ExistingFile, ExistingFolder, FilePath, HttpUrl, Name, shown


class EsAuth(StrictModel):
    """How to authenticate to Elasticsearch; the secret itself comes from the environment."""

    kind: Literal["none", "basic", "api_key"] = "none"
    username: str | None = None

    @model_validator(mode="after")
    def _username_fits_kind(self) -> EsAuth:
        if self.kind == "basic" and not self.username:
            raise ValueError(
                "kind 'basic' needs a username (the password comes from SMOKKELRADAR_ES_PASSWORD)"
            )
        if self.kind != "basic" and self.username:
            raise ValueError(f"a username is only used with kind 'basic', not with kind '{self.kind}'")
        return self


class LocalNode(StrictModel):
    """The single-node Elasticsearch that ``smokkelradar es start`` runs on 127.0.0.1."""

    enabled: bool = False
    http_port: int = Field(default=9250, ge=1024, le=65535)
    # Where the node keeps its indices; default: <data.base>/elasticsearch.
    data_dir: FilePath | None = None


class ElasticsearchConfig(StrictModel):
    url: HttpUrl
    auth: EsAuth = EsAuth()
    ca_certs: ExistingFile | None = None
    verify_certs: bool = True
    index_prefix: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)] = "smokkelradar"
    local_node: LocalNode = LocalNode()

    @field_validator("local_node")
    @classmethod
    def _url_points_at_local_node(cls, node: LocalNode, info: ValidationInfo) -> LocalNode:
        url = info.data.get("url")
        if node.enabled and url is not None:
            parts = urlsplit(url)
            if parts.scheme != "http" or parts.hostname != "127.0.0.1" or parts.port != node.http_port:
                wanted = f"http://127.0.0.1:{node.http_port}"
                raise ValueError(f"the local node is enabled, so url must be '{wanted}', got {shown(url)}")
        return node


class SmtpConfig(StrictModel):
    host: str = Field(min_length=1)
    port: int = Field(ge=1, le=65535)
    # none: plain SMTP (local servers only); starttls: upgrade, port 587; implicit: TLS from the start, 465
    tls: Literal["none", "starttls", "implicit"] = "starttls"
    # Log in with this user; the password comes from SMOKKELRADAR_SMTP_PASSWORD.
    username: str | None = None
    sender: EmailAddress
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)


class DataDirs(StrictModel):
    """Folders for runtime state. ``base`` is relative to radar.yaml, the others to ``base``."""

    base: FilePath
    spool: Path = Path("spool")
    evidence: Path = Path("evidence")
    state: Path = Path("state")

    @model_validator(mode="before")
    @classmethod
    def _under_base(cls, data: Any, info: ValidationInfo) -> Any:
        # Resolve here rather than in the loader so every consumer gets absolute paths.
        if not isinstance(data, dict) or not isinstance(data.get("base"), str):
            return data
        base = Path(data["base"]).expanduser()
        root = (info.context or {}).get("base_dir")
        if root is not None and not base.is_absolute():
            base = Path(os.path.normpath(Path(root) / base))
        resolved = dict(data, base=str(base))
        for key, default in (("spool", "spool"), ("evidence", "evidence"), ("state", "state")):
            value = data.get(key, default)
            if isinstance(value, str):
                resolved[key] = str(Path(os.path.normpath(base / Path(value).expanduser())))
        return resolved


class ConfigPaths(StrictModel):
    """Where the other configuration folders are, relative to radar.yaml."""

    # validate_default: a default is resolved against radar.yaml's folder and checked like a written value.
    sources: ExistingFolder = Field(default=Path("sources"), validate_default=True)
    keywords: ExistingFolder = Field(default=Path("keywords"), validate_default=True)
    alerts: ExistingFolder = Field(default=Path("alerts"), validate_default=True)


class Proxy(StrictModel):
    """An outgoing proxy; a password, if any, comes from SMOKKELRADAR_PROXY_<NAME>_PASSWORD."""

    url: str
    username: str | None = None

    @field_validator("url")
    @classmethod
    def _proxy_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "socks4", "socks5", "socks5h") or not parts.hostname:
            raise ValueError(f"expected a proxy URL such as 'socks5h://127.0.0.1:9050', got {shown(url)}")
        return url


class AllowedAddress(StrictModel):
    """An address the crawler may fetch although it is private or loopback (the SSRF guard's exceptions).

    Written as ``127.0.0.1``, ``10.1.0.0/16``, ``127.0.0.1:8080``, ``::1`` or ``[::1]:8080``.
    Only IP addresses: the guard checks the resolved address, never the name.
    """

    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    port: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if not isinstance(data, str):
            return data
        text, port = data.strip(), None
        if text.startswith("["):  # [v6]:port
            host, _, rest = text[1:].partition("]")
            text, port = host, rest.removeprefix(":") or None
        elif text.count(":") == 1:  # v4:port
            text, port = text.split(":")
        try:
            network = ipaddress.ip_network(text, strict=False)
            number = int(port) if port is not None else None
        except ValueError as error:
            raise ValueError(
                f"expected an IP address, network or address:port such as '127.0.0.1', '10.0.0.0/8' "
                f"or '127.0.0.1:8080', got {shown(data)}"
            ) from error
        if number is not None and not 0 < number < 65536:
            raise ValueError(f"port out of range in {shown(data)}")
        return {"network": network, "port": number}

    def allows(self, address: str, port: int) -> bool:
        """True when this entry permits a connection to ``address`` (an IP) on ``port``."""
        ip = ipaddress.ip_address(address)
        return ip in self.network and (self.port is None or self.port == port)

    def __str__(self) -> str:
        host = str(self.network.network_address) if self.network.num_addresses == 1 else str(self.network)
        if self.port is None:
            return host
        return f"[{host}]:{self.port}" if self.network.version == 6 else f"{host}:{self.port}"


class NearDuplicates(StrictModel):
    """How reposts of one advert are grouped into a cluster (MinHash/LSH over normalized text)."""

    # Estimated Jaccard similarity of two adverts' character shingles at or above which they share a cluster.
    threshold: float = Field(default=0.8, gt=0, lt=1)


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {shown(name)}; use a name such as 'Europe/Amsterdam'") from error
    return name


class RadarConfig(StrictModel):
    """The whole of ``radar.yaml``."""

    elasticsearch: ElasticsearchConfig
    smtp: SmtpConfig
    mdt_mailbox: EmailAddress
    analysts_mailbox: EmailAddress
    user_agent: str = Field(min_length=8)
    data: DataDirs
    timezone: Annotated[str, AfterValidator(_check_timezone)] = "Europe/Amsterdam"
    allowed_addresses: tuple[AllowedAddress, ...] = ()
    retention_days: int = Field(default=365, ge=1)
    near_duplicates: NearDuplicates = NearDuplicates()
    paths: ConfigPaths = ConfigPaths()
    proxies: dict[Name, Proxy] = Field(default_factory=dict)
    default_proxy: Name | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_paths(cls, data: Any) -> Any:
        # An omitted ``paths`` still has to be resolved and checked, which a default instance would skip.
        if isinstance(data, dict) and "paths" not in data:
            return dict(data, paths={})
        return data

    @field_validator("default_proxy")
    @classmethod
    def _known_proxy(cls, name: str | None, info: ValidationInfo) -> str | None:
        proxies = info.data.get("proxies")
        if name is not None and proxies is not None and name not in proxies:
            known = ", ".join(sorted(proxies)) or "none are defined"
            raise ValueError(f"no proxy named '{name}' under proxies ({known})")
        return name

    @property
    def tz(self) -> ZoneInfo:
        """The time zone people read times in (schedules, mail)."""
        return ZoneInfo(self.timezone)

    @property
    def es_data_dir(self) -> Path:
        """Where the local Elasticsearch node keeps its data."""
        return self.elasticsearch.local_node.data_dir or self.data.base / "elasticsearch"

    def address_allowed(self, address: str, port: int) -> bool:
        """True when the SSRF guard may let the crawler connect to ``address``:``port``."""
        return any(entry.allows(address, port) for entry in self.allowed_addresses)
