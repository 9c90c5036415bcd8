"""Client addresses and networks, for gateway allow-lists only (never stored or logged).

``client_address`` is the one place that decides which address a request came from: the
socket peer (REMOTE_ADDR), or, when that peer is one of ``TRUSTED_PROXIES`` (the TLS
proxy), the first address of X-Forwarded-For not added by a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:  # settings import this module: nothing of django.http at load time
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address that counts for every check that uses one (see ``client_address_of``)."""
    return client_address_of(request.META)


def client_address_of(meta: Mapping[str, str]) -> str:
    """The client's address from a request's META. ``X-Forwarded-For`` is read only when
    the peer is one of ``TRUSTED_PROXIES``, from the right: each trusted proxy appends the
    address it saw, so the first hop not trusted is the client; anything left of it is
    the client's own to forge."""
    from django.conf import settings

    peer = meta.get("REMOTE_ADDR", "")
    networks = _networks(tuple(settings.TRUSTED_PROXIES))

    def trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(address.version == network.version and address in network for network in networks)

    peer_ip = _ip(peer)
    if peer_ip is None or not trusted(peer_ip):
        return peer
    client = peer
    for hop in reversed(meta.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop_ip = _ip(hop)
        if hop_ip is None:
            break  # garbage: keep the last address a trusted proxy vouched for
        client = str(hop_ip)
        if not trusted(hop_ip):
            break
    return client


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
