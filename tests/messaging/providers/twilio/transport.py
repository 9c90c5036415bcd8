"""A stand-in for the HTTP transport under the real Twilio client, and nothing more.

The Twilio backend is built from settings exactly as a worker builds it (``Client`` with
its ``TwilioHttpClient`` and ``requests`` session); only ``requests``' transport adapter,
the one place every request leaves the process, is replaced. So the constructor, the
request building (URL, form fields, auth header) and the timeout all run for real: a
wrong constructor argument fails these tests as it would fail every send in production.
"""

from __future__ import annotations

import json
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

API = "https://api.twilio.com/2010-04-01"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: str
    timeout: Any

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body, keep_blank_values=True).items()}


def response(status: int, payload: dict[str, Any] | None = None) -> requests.Response:
    reply = requests.Response()
    reply.status_code = status
    reply._content = b"" if payload is None else json.dumps(payload).encode()
    reply.headers = CaseInsensitiveDict({"Content-Type": "application/json"} if payload is not None else {})
    reply.encoding = "utf-8"
    return reply


def twilio_error(status: int, code: int | None, message: str = "error") -> requests.Response:
    """An error as Twilio's API returns it (JSON with its error code)."""
    return response(status, {"code": code, "message": message, "more_info": "", "status": status})


class FakeTwilioTransport:
    """Records each request; answers from a queue of replies (a response, an exception to
    raise, or a callable), else as Twilio would to a valid request."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.replies: deque[requests.Response | Exception | Callable[[RecordedRequest], requests.Response]] = deque()

    def queue(self, *replies: requests.Response | Exception) -> None:
        self.replies.extend(replies)

    def send(self, adapter: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any):
        body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        recorded = RecordedRequest(
            method=request.method or "",
            url=request.url or "",
            headers=dict(request.headers),
            body=body,
            timeout=kwargs.get("timeout"),
        )
        self.requests.append(recorded)
        reply = self.replies.popleft() if self.replies else self._default(recorded)
        if isinstance(reply, Exception):
            raise reply
        if callable(reply):
            reply = reply(recorded)
        reply.request = request
        reply.url = request.url
        return reply

    @staticmethod
    def _default(request: RecordedRequest) -> requests.Response:
        if request.method == "POST" and request.path.endswith("/Messages.json"):
            form = request.form
            return response(
                201,
                {
                    "sid": "SM" + uuid.uuid4().hex,
                    "status": "queued",
                    "to": form.get("To"),
                    "from": form.get("From"),
                    "body": form.get("Body"),
                    "num_segments": "1",
                },
            )
        if request.method == "DELETE":
            return response(204)
        return twilio_error(404, 20404, "not found")

    @property
    def sends(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/Messages.json")]

    @property
    def deletes(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "DELETE"]
