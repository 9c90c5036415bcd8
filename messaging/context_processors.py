"""Staff pages show a banner while a gateway phone is down (never on public pages)."""

from __future__ import annotations

from django.http import HttpRequest


def gateways(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith(("/staff/", "/admin/")):
        return {}
    from messaging.gateways import gateways_down

    return {"gateways_down": gateways_down()}
