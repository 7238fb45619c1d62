"""The private-address guard: outbound fetches never reach this machine or its networks.

A coordinator can add a source by URL, so a URL is untrusted input. Every spelling of an address is
turned into the address itself before it is judged (``127.1``, ``0x7f.0.0.1``, ``0177.1``,
``169.254.43518``, ``2130706433``, full-width digits, IPv4-mapped IPv6), and a host name is judged
by every address it resolves to. Two checks use this:

* ``check_url`` before a request (literal addresses, no DNS), for the URL of every hop;
* ``GuardedBackend``, httpcore's network backend under the HTTP client: it resolves the host
  itself, refuses when ANY resolved address is not public, and connects to the address it checked
  (so a name that resolves differently a moment later cannot slip through). Every connection goes
  through it, redirects and call pages included.

``allow_private`` (``FOUI_SOURCES_ALLOW_PRIVATE_URLS``) turns both off; ``exempt`` lists networks
counted as public (tests only: their "public" site is on 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import httpcore

__all__ = ["BlockedAddressError", "GuardedBackend", "NetGuard", "literal_address"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddressError(Exception):
    """A host that is, or resolves to, an address sources may not reach."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} -> {address}")
        self.host = host
        self.address = address


def _normal_host(host: str) -> str:
    host = unicodedata.normalize("NFKC", host).strip().lower().rstrip(".")
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def literal_address(host: str) -> Address | None:
    """The address a host written as an address means (any spelling), or None for a name."""
    host = _normal_host(host)
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefx." for c in host):
        try:  # the C library's reading: 127.1, 0x7f.0.0.1, 0177.1, 169.254.43518, 2130706433
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_public(address: Address) -> bool:
    """Only global unicast addresses are public; a mapped IPv4 address is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return is_public(mapped)
    return not (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


class NetGuard:
    """Says which addresses a fetch may reach."""

    def __init__(self, *, allow_private: bool = False, exempt: Iterable[str] = ()) -> None:
        self.allow_private = allow_private
        self.exempt: tuple[Network, ...] = tuple(ipaddress.ip_network(n) for n in exempt)

    def allowed(self, address: Address) -> bool:
        if self.allow_private or any(address in net for net in self.exempt):
            return True
        return is_public(address)

    def check_host(self, host: str) -> None:
        """Raise BlockedAddressError when ``host`` is written as an address that is not allowed."""
        address = literal_address(host)
        if address is not None and not self.allowed(address):
            raise BlockedAddressError(host, str(address))
        name = _normal_host(host)
        if not self.allow_private and (name == "localhost" or name.endswith((".localhost", ".local"))):
            raise BlockedAddressError(host, name)

    async def resolve(self, host: str, port: int) -> list[str]:
        """Every address ``host`` resolves to, each checked; raises BlockedAddressError."""
        self.check_host(host)
        literal = literal_address(host)
        if literal is not None:
            return [str(literal)]
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(_normal_host(host), port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for text in addresses:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            if not self.allowed(address):
                raise BlockedAddressError(host, text)
        return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, resolving and checking every host before it connects."""

    def __init__(self, guard: NetGuard, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.guard = guard
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if self.guard.allow_private:
            return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)
        addresses: Sequence[str] = await self.guard.resolve(host, port)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddressError(path, "unix socket")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
