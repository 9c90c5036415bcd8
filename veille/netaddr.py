"""Client addresses and networks, for gateway allow-lists only (never stored or logged).

``client_address`` is the one place that decides which address a request came from:
today the socket peer (REMOTE_ADDR). Behind the TLS proxy that is the proxy's address, so
an allow-list must then list the proxy, or the trusted-proxy reading of X-Forwarded-For
must be plugged in here (one place, for every check that uses an address).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:  # settings import this module: nothing of django.http at load time
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def parse_networks(name: str, values: Iterable[str]) -> tuple[Network, ...]:
    """CIDR strings (or bare addresses) as networks; a bad one fails naming the setting."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {value!r} is not an address or a CIDR network.") from exc
    return tuple(networks)


@lru_cache(maxsize=64)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks("network allow-list", values)


def address_in(address: str, networks: Iterable[str]) -> bool:
    """Whether ``address`` lies in one of ``networks``; an unreadable address never does."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # "::ffff:192.0.2.1" from a dual-stack socket is 192.0.2.1
    return any(ip.version == net.version and ip in net for net in _networks(tuple(networks)))
