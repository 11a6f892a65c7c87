"""The SSRF guard's DNS layer: the resolver every Scrapy connection goes through.

Installed with ``TWISTED_DNS_RESOLVER``. It wraps Scrapy's caching resolver and drops each
resolved address the policy refuses for the port being connected to, so a host name that
resolved to a public address when the request was checked but to a private one when the
connection is made (DNS rebinding) is never connected to: with no address left, the
connection fails as a failed lookup. The policy is the crawl's (set by the request layer);
before that, every non-public address is refused. The one exception is the crawl's own guard
proxy on 127.0.0.1 (``crawlers.egress``), which checks every address it connects to itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from scrapy.resolver import CachingHostnameResolver
from twisted.internet.interfaces import IHostResolution, IResolutionReceiver
from zope.interface import implementer  # type: ignore[import-untyped]

from crawlers.middlewares.address_policy import AddressPolicy
from radar.logs import get_logger

log = get_logger("crawlers.ssrf")


@implementer(IResolutionReceiver)
class _FilteringReceiver:
    def __init__(self, receiver: Any, policy: AddressPolicy, host: str, port: int) -> None:
        self._receiver = receiver
        self._policy = policy
        self._host = host
        self._port = port

    def resolutionBegan(self, resolution: IHostResolution) -> None:  # noqa: N802 (Twisted's interface)
        self._receiver.resolutionBegan(resolution)

    def addressResolved(self, address: Any) -> None:  # noqa: N802
        host = getattr(address, "host", None)
        if (host, self._port) in GuardedResolver.trusted:
            self._receiver.addressResolved(address)  # our own guard proxy, which checks in turn
            return
        refusal = self._policy.address_refusal(host, self._port) if host else "no address"
        if refusal is None:
            self._receiver.addressResolved(address)
            return
        GuardedResolver.refused += 1
        log.warning(
            "SSRF guard refused an address of %s: %s",
            self._host,
            refusal,
            extra={"host": self._host, "port": self._port, "reason": refusal},
        )

    def resolutionComplete(self) -> None:  # noqa: N802
        self._receiver.resolutionComplete()


class GuardedResolver(CachingHostnameResolver):
    policy: ClassVar[AddressPolicy] = AddressPolicy()
    refused: ClassVar[int] = 0
    # (address, port) of this process's guard proxies (crawlers.egress): loopback, but ours.
    trusted: ClassVar[set[tuple[str, int]]] = set()

    def resolveHostName(  # noqa: N802 (Twisted's interface)
        self,
        resolutionReceiver: Any,  # noqa: N803
        hostName: str,  # noqa: N803
        portNumber: int = 0,  # noqa: N803
        addressTypes: Sequence[Any] | None = None,  # noqa: N803
        transportSemantics: str = "TCP",  # noqa: N803
    ) -> Any:
        guarded: Any = _FilteringReceiver(resolutionReceiver, GuardedResolver.policy, hostName, portNumber)
        return super().resolveHostName(guarded, hostName, portNumber, addressTypes, transportSemantics)
