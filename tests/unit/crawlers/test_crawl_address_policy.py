"""The SSRF guard's rule and its DNS layer, without any network: names resolve through stubs.

No test here opens a socket; the addresses below are only ever compared, never contacted.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from twisted.internet.address import IPv4Address, IPv6Address

from crawlers.middlewares.address_policy import AddressPolicy, address_problem
from crawlers.middlewares.ssrf_resolver import GuardedResolver
from crawlers.rendering import BrowserGuard
from radar.config.radar import AllowedAddress

PUBLIC = "93.184.216.34"
# What the stub resolver answers: names an attacker might point at internal services.
ZONE = {
    "public.example": [PUBLIC],
    "intranet.example": ["10.20.30.40"],
    "router.example": ["192.168.1.1"],
    "metadata.example": ["169.254.169.254"],
    "mdns.example": ["224.0.0.251"],
    "linklocal6.example": ["fe80::1"],
    "ula.example": ["fd00::1"],
    "mapped.example": ["::ffff:127.0.0.1"],
    "cgnat.example": ["100.64.0.1"],
    "reserved.example": ["240.0.0.1"],
    "mixed.example": [PUBLIC, "172.16.0.5"],
    "demo.example": ["127.0.0.1"],
}


def stub_lookup(host: str, port: int) -> list[str]:
    try:
        return ZONE[host]
    except KeyError:
        raise OSError(f"no such host {host}") from None


def policy(*allowed: str) -> AddressPolicy:
    entries = [AllowedAddress.model_validate(text) for text in allowed]
    return AddressPolicy(lambda address, port: any(e.allows(address, port) for e in entries), stub_lookup)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://intranet.example/", "private address 10.20.30.40"),
        ("http://router.example/", "private address 192.168.1.1"),
        ("http://metadata.example/latest/meta-data/", "link-local address 169.254.169.254"),
        ("http://mdns.example/", "multicast address 224.0.0.251"),
        ("http://linklocal6.example/", "link-local address fe80::1"),
        ("http://ula.example/", "private address fd00::1"),
        ("http://mapped.example/", "loopback address 127.0.0.1"),
        ("http://cgnat.example/", "address 100.64.0.1 is not globally routable"),
        ("http://reserved.example/", "reserved address 240.0.0.1"),
        ("http://mixed.example/", "private address 172.16.0.5"),  # one bad address is enough
        ("http://10.0.0.1/", "private address 10.0.0.1"),
        ("http://[::1]:8080/", "loopback address ::1"),
        ("http://0.0.0.0/", "unspecified address 0.0.0.0"),
        ("http://unknown.example/", "does not resolve"),
        ("file:///etc/passwd", "scheme 'file' is not http or https"),
        ("ftp://public.example/", "scheme 'ftp' is not http or https"),
        ("gopher://public.example/", "scheme 'gopher' is not http or https"),
        ("data:text/html,hello", "scheme 'data' is not http or https"),
    ],
)
def test_refused(url: str, reason: str) -> None:
    refusal = policy().refusal(url)
    assert refusal is not None and reason in refusal


def test_public_and_allowed_addresses_pass() -> None:
    assert policy().refusal("https://public.example/adverts?page=2") is None
    assert policy("127.0.0.1").refusal("http://demo.example:8950/") is None
    # An allowed address:port allows that port only.
    only_demo = policy("127.0.0.1:8950")
    assert only_demo.refusal("http://127.0.0.1:8950/forum/") is None
    assert "(port 8951) is not in allowed_addresses" in str(only_demo.refusal("http://127.0.0.1:8951/"))
    assert "(port 80)" in str(only_demo.refusal("http://demo.example/"))
    assert policy("10.0.0.0/8").refusal("http://intranet.example/") is None


def test_through_a_proxy_names_are_left_to_the_proxy_but_literals_and_local_names_are_not() -> None:
    guard = policy()
    assert guard.refusal("http://anything.example/", via_proxy=True) is None  # not resolved here
    assert guard.refusal("http://10.1.1.1/", via_proxy=True) is not None
    assert guard.refusal("http://localhost/", via_proxy=True) is not None
    assert guard.refusal("http://printer.local/", via_proxy=True) is not None


def test_address_problem_of_public_addresses_is_none() -> None:
    assert address_problem(PUBLIC) is None
    assert address_problem("2606:4700:4700::1111") is None


class _StubNameResolver:
    """The reactor's original resolver: answers from ZONE, never touching the network."""

    def resolveHostName(self, receiver: Any, host: str, portNumber: int = 0, *args: Any) -> Any:  # noqa: N802, N803
        receiver.resolutionBegan(None)
        for address in ZONE.get(host, []):
            kind = IPv6Address if ":" in address else IPv4Address
            receiver.addressResolved(kind("TCP", address, portNumber))
        receiver.resolutionComplete()
        return receiver


class _Reactor:
    nameResolver = _StubNameResolver()  # noqa: N815 (Twisted's attribute name)


class _Receiver:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.complete = False

    def resolutionBegan(self, resolution: Any) -> None:  # noqa: N802
        pass

    def addressResolved(self, address: Any) -> None:  # noqa: N802
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:  # noqa: N802
        self.complete = True


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> GuardedResolver:
    monkeypatch.setattr(GuardedResolver, "policy", policy("127.0.0.1:8950"))
    return GuardedResolver(_Reactor(), cache_size=0)  # type: ignore[arg-type]


def test_dns_layer_drops_addresses_the_policy_refuses(resolver: GuardedResolver) -> None:
    mixed = _Receiver()
    resolver.resolveHostName(mixed, "mixed.example", 443)
    assert mixed.complete and mixed.addresses == [PUBLIC]
    # A name that resolves only to internal addresses leaves the connection nothing to connect to.
    internal = _Receiver()
    resolver.resolveHostName(internal, "metadata.example", 80)
    assert internal.complete and internal.addresses == []
    # Port-specific exceptions hold at connection time too (a rebinding to another port gains nothing).
    for port, expected in ((8950, ["127.0.0.1"]), (8951, [])):
        receiver = _Receiver()
        resolver.resolveHostName(receiver, "demo.example", port)
        assert receiver.addresses == expected


class _BrowserRequest:
    def __init__(self, url: str) -> None:
        self.url = url


class _Crawler:
    class stats:  # noqa: N801
        values: dict[str, int] = {}  # noqa: RUF012

        @classmethod
        def inc_value(cls, key: str, amount: int = 1) -> None:
            cls.values[key] = cls.values.get(key, 0) + amount


def test_browser_requests_pass_the_same_policy() -> None:
    guard = BrowserGuard(_Crawler(), via_proxy=False)
    guard._policy = policy()

    def aborted(url: str) -> bool:
        return asyncio.run(guard(_BrowserRequest(url)))

    assert aborted("https://public.example/app.js") is False
    assert aborted("data:image/png;base64,AAAA") is False
    assert aborted("http://metadata.example/latest/") is True
    assert aborted("file:///etc/passwd") is True
    assert _Crawler.stats.values["report/errors/ssrf_blocked_in_browser"] == 2
