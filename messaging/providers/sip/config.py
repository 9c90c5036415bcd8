"""The SIP agent's settings, read once when it starts (``SIP_*`` in veille/settings.py)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class SipConfig:
    bind_address: str
    port: int
    rtp_port_min: int
    rtp_port_max: int
    registrar: str  # host[:port]; empty: no registration, the gateway sends calls here
    user: str
    password: str
    allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    max_calls: int
    max_call_seconds: int

    @classmethod
    def from_settings(cls) -> SipConfig:
        return cls(
            bind_address=settings.SIP_BIND_ADDRESS,
            port=settings.SIP_PORT,
            rtp_port_min=settings.SIP_RTP_PORT_MIN,
            rtp_port_max=settings.SIP_RTP_PORT_MAX,
            registrar=settings.SIP_REGISTRAR,
            user=settings.SIP_USER,
            password=settings.SIP_PASSWORD,
            allowed_networks=tuple(ipaddress.ip_network(net, strict=False) for net in settings.SIP_ALLOWED_NETWORKS),
            max_calls=settings.SIP_MAX_CALLS,
            max_call_seconds=settings.SIP_MAX_CALL_SECONDS,
        )

    def allows(self, source: str) -> bool:
        """Whether a request's source (pjsip's "ip:port" or "[ipv6]:port") is allowed."""
        host = source.rsplit(":", 1)[0].strip("[]") if source.count(":") == 1 or source.startswith("[") else source
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.allowed_networks)
