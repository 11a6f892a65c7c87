"""The client side of SOCKS 5 (RFC 1928, with RFC 1929 user/password) and SOCKS 4.

Each function takes a fresh connection to the proxy, asks it to connect to ``host:port`` and
returns once the proxy said yes; afterwards the stream carries the target's bytes. ``host``
is an IP address, or (SOCKS 5 only) a name the proxy resolves (``socks5h``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import struct

SOCKS5_REPLIES = {
    1: "general failure",
    2: "connection not allowed by ruleset",
    3: "network unreachable",
    4: "host unreachable",
    5: "connection refused",
    6: "TTL expired",
    7: "command not supported",
    8: "address type not supported",
}


class SocksError(OSError):
    """The SOCKS proxy refused or spoke something else than SOCKS."""


async def socks5_connect(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    host: str,
    port: int,
    username: str | None = None,
    password: str | None = None,
) -> None:
    methods = b"\x00\x02" if username is not None else b"\x00"
    writer.write(b"\x05" + bytes([len(methods)]) + methods)
    await writer.drain()
    version, method = await reader.readexactly(2)
    if version != 5:
        raise SocksError("the proxy does not speak SOCKS 5")
    if method == 2 and username is not None:
        user, secret = username.encode(), (password or "").encode()
        writer.write(b"\x01" + bytes([len(user)]) + user + bytes([len(secret)]) + secret)
        await writer.drain()
        _, status = await reader.readexactly(2)
        if status != 0:
            raise SocksError("the SOCKS proxy refused the user name or password")
    elif method != 0:
        raise SocksError("the SOCKS proxy wants an authentication method we were not given")
    writer.write(b"\x05\x01\x00" + _socks5_address(host) + struct.pack("!H", port))
    await writer.drain()
    version, reply, _, kind = await reader.readexactly(4)
    if version != 5:
        raise SocksError("the proxy does not speak SOCKS 5")
    # The address the proxy bound: read it away, it is of no use here.
    if kind == 1:
        await reader.readexactly(4 + 2)
    elif kind == 4:
        await reader.readexactly(16 + 2)
    elif kind == 3:
        (length,) = await reader.readexactly(1)
        await reader.readexactly(length + 2)
    else:
        raise SocksError("the SOCKS proxy answered with an unknown address type")
    if reply != 0:
        raise SocksError(f"the SOCKS proxy could not connect: {SOCKS5_REPLIES.get(reply, f'error {reply}')}")


def _socks5_address(host: str) -> bytes:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        name = host.encode("idna")
        if len(name) > 255:
            raise ValueError(f"host name too long for SOCKS: {host[:40]}...") from None
        return b"\x03" + bytes([len(name)]) + name
    return (b"\x01" if address.version == 4 else b"\x04") + address.packed


async def socks4_connect(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, port: int, user: str | None = None
) -> None:
    address = ipaddress.ip_address(host)  # SOCKS 4 carries IPv4 addresses only
    if address.version != 4:
        raise SocksError(f"SOCKS 4 cannot reach the IPv6 address {host}")
    writer.write(b"\x04\x01" + struct.pack("!H", port) + address.packed + (user or "").encode() + b"\x00")
    await writer.drain()
    answer = await reader.readexactly(8)
    if answer[1] != 0x5A:
        raise SocksError(f"the SOCKS 4 proxy refused the connection (code {answer[1]})")
