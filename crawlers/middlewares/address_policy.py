"""Which addresses the crawler may connect to: public ones, and those radar.yaml allows.

The SSRF guard's rule, in one place for both of its layers (the request middleware and the
DNS resolver): a URL must be http(s), and every address its host resolves to must be
globally routable — not private, loopback, link-local, multicast, reserved, unspecified or
shared — unless ``allowed_addresses`` in radar.yaml names it (``address_allowed(ip, port)``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

# host, port -> the IP addresses a connection could go to.
Lookup = Callable[[str, int], list[str]]
AllowRule = Callable[[str, int], bool]
SCHEMES = frozenset({"http", "https"})


def system_lookup(host: str, port: int) -> list[str]:
    """The addresses the operating system's resolver gives for ``host`` (blocking)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def address_problem(address: str) -> str | None:
    """Why ``address`` is not a public address, or None when it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
    )
    for name, hit in checks:
        if hit:
            return f"{name} address {ip}"
    if not ip.is_global:
        return f"address {ip} is not globally routable"
    return None


def default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


@dataclass(frozen=True)
class AddressPolicy:
    """The guard's decision: ``refusal(url)`` says why a URL may not be fetched, or None."""

    allowed: AllowRule = lambda address, port: False
    lookup: Lookup = system_lookup

    def address_refusal(self, address: str, port: int) -> str | None:
        problem = address_problem(address)
        if problem is None or self.allowed(address, port):
            return None
        return f"{problem} (port {port}) is not in allowed_addresses"

    def refusal(self, url: str, *, via_proxy: bool = False) -> str | None:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            return f"scheme '{scheme or '(none)'}' is not http or https"
        host = (parts.hostname or "").rstrip(".")
        if not host:
            return "the URL has no host"
        try:
            port = parts.port or default_port(scheme)
        except ValueError:
            return "the URL has an invalid port"
        return self.connect_plan(host, port, remote_dns=via_proxy)[1]

    def connect_plan(self, host: str, port: int, *, remote_dns: bool = False) -> tuple[list[str], str | None]:
        """Where a connection to ``host:port`` may go — the addresses checked (or, when a proxy
        resolves names, the name itself) — and why it may not be made (None: it may)."""
        host = host.rstrip(".")
        if not host:
            return [], "no host"
        if _is_ip(host):
            return [host], self.address_refusal(host, port)
        if remote_dns:
            # The proxy resolves the name; resolving it here would leak the lookup past the proxy.
            return [host], "a local host name" if _local_name(host) else None
        try:
            addresses = self.lookup(host, port)
        except (OSError, UnicodeError) as error:
            return [], f"host '{host}' does not resolve ({error})"
        return addresses, self.addresses_refusal(host, addresses, port)

    def addresses_refusal(self, host: str, addresses: Iterable[str], port: int) -> str | None:
        """A connection may go to any resolved address, so every one must pass."""
        found = list(addresses)
        if not found:
            return f"host '{host}' resolves to no address"
        for address in found:
            problem = self.address_refusal(address, port)
            if problem is not None:
                return f"host '{host}' resolves to {problem}"
        return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _local_name(host: str) -> bool:
    host = host.lower()
    return host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan", ".home.arpa"))
