from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


class MalformedRequest(ValueError):
    """The gateway's request lacks what a session needs; answered with a valid END screen."""


@dataclass(frozen=True)
class UssdRequest:
    session_id: str
    phone_number: str
    text: str  # as the gateway sends it (Africa's Talking: every input so far, joined by '*')
    service_code: str


class Gateway:
    """What an adapter does: read the gateway's request, write the gateway's answer."""

    name = "base"

    def parse(self, request: HttpRequest) -> UssdRequest:
        raise NotImplementedError

    def render(self, text: str, *, end: bool) -> HttpResponse:
        raise NotImplementedError
