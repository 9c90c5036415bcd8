"""A stand-in for the HTTP transport under SMS Gateway for Android's own Python client.

The backend is built from settings as a worker builds it (``APIClient`` with its
``RequestsHttpClient`` over a bounded ``requests`` session); only ``requests``' adapter
is replaced, so the client's request building (URL, JSON body, auth) runs for real.
Requests to Twilio's API are handed to the Twilio fake, so one test can watch a message
fall over from the phone to Twilio.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from tests.messaging.providers.twilio.transport import FakeTwilioTransport

GATEWAY_URL = "http://192.0.2.10:8080"


@dataclass(frozen=True)
class GatewayRequest:
    method: str
    url: str
    headers: dict[str, str]
    json: dict[str, Any] | None
    timeout: Any

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


def json_response(status: int, payload: Any = None) -> requests.Response:
    reply = requests.Response()
    reply.status_code = status
    reply._content = b"" if payload is None else json.dumps(payload).encode()
    reply.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
    reply.encoding = "utf-8"
    return reply


class FakeGateway:
    """The phone's API: answers like the app does to a valid send, or as scripted."""

    def __init__(self) -> None:
        self.requests: list[GatewayRequest] = []
        self.replies: list[requests.Response | Exception] = []
        self.down = False  # every request refused, as by a phone that is off

    def handle(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        recorded = GatewayRequest(
            method=request.method or "",
            url=request.url or "",
            headers=dict(request.headers),
            json=json.loads(body) if body else None,
            timeout=kwargs.get("timeout"),
        )
        self.requests.append(recorded)
        if self.down:
            raise requests.exceptions.ConnectionError("connection refused")
        if self.replies:
            reply = self.replies.pop(0)
            if isinstance(reply, Exception):
                raise reply
            return reply
        if recorded.method == "POST" and recorded.path.endswith("/messages"):
            numbers = (recorded.json or {}).get("phoneNumbers", [])
            return json_response(
                202,
                {
                    "id": uuid.uuid4().hex[:21],
                    "state": "Pending",
                    "recipients": [{"phoneNumber": number, "state": "Pending"} for number in numbers],
                    "isHashed": False,
                    "isEncrypted": bool((recorded.json or {}).get("isEncrypted")),
                    "deviceId": (recorded.json or {}).get("deviceId"),
                },
            )
        return json_response(404, {"code": 404, "message": "not found"})

    @property
    def sends(self) -> list[GatewayRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/messages")]


class Transports:
    """One patch of ``requests``' adapter for both providers, by host."""

    def __init__(self) -> None:
        self.gateway = FakeGateway()
        self.twilio = FakeTwilioTransport()

    def send(self, adapter: object, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        host = urlsplit(request.url or "").hostname or ""
        if host.endswith("twilio.com"):
            return self.twilio.send(adapter, request, **kwargs)
        reply = self.gateway.handle(request, **kwargs)
        reply.request = request
        reply.url = request.url
        return reply
