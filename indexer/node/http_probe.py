"""Small HTTP questions to the local node (health, version, heap), with the standard library.

The launcher must work before the Python client is importable in a half-installed virtualenv
and must not mistake a client-side problem for a node problem, so it speaks plain HTTP to
127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any

_HEALTH_RANK = {"red": 0, "yellow": 1, "green": 2}


def get_json(url: str, timeout: float = 5.0) -> dict[str, Any] | None:
    """GET ``url`` and decode the JSON body; None when the node does not answer usefully."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 (our own http URL)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def health(base_url: str, timeout: float = 5.0) -> str | None:
    """The cluster health colour, or None when the node does not answer."""
    body = get_json(f"{base_url}/_cluster/health", timeout)
    status = body.get("status") if body else None
    return status if isinstance(status, str) else None


def is_at_least(status: str | None, wanted: str) -> bool:
    return status is not None and _HEALTH_RANK.get(status, -1) >= _HEALTH_RANK[wanted]


def version(base_url: str, timeout: float = 5.0) -> str | None:
    body = get_json(f"{base_url}/", timeout)
    number = body.get("version", {}).get("number") if body else None
    return number if isinstance(number, str) else None


def heap(base_url: str, timeout: float = 5.0) -> tuple[int, int] | None:
    """(used, max) JVM heap bytes of the local node."""
    body = get_json(f"{base_url}/_nodes/_local/stats/jvm", timeout)
    if not body:
        return None
    for node in body.get("nodes", {}).values():
        memory = node.get("jvm", {}).get("mem", {})
        used, limit = memory.get("heap_used_in_bytes"), memory.get("heap_max_in_bytes")
        if isinstance(used, int) and isinstance(limit, int):
            return used, limit
    return None


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
