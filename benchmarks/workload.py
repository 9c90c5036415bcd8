"""Synthetic traffic: signed Twilio SMS webhooks and Africa's Talking USSD sessions.

Every SMS has its own MessageSid and, by default, its own sender, so each one becomes its
own report and the reconciliation can count them one to one. Numbers are synthetic
(+223 7xxxxxxx) and only ever sent to a loopback server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from benchmarks.loadgen import Request

FORM = "application/x-www-form-urlencoded"

# Realistic reports: French and Bambara, with and without a recognisable place, so the
# worker's place matching and language guess run as they would during a spike.
BODIES = (
    "Des hommes armes ont attaque le marche de Boni ce matin, plusieurs blesses.",
    "Coups de feu entendus pres de Douentza, les gens fuient vers la route de Sevare.",
    "Engin explosif sur la route entre Mopti et Bandiagara, un vehicule touche.",
    "Mogo jugu dow ye sugu kan bila Boni la sogoma in na, mogo caman banana.",
    "Enlevement de deux commercants hier soir sur la route, on ne sait pas ou.",
    "Tension forte entre eleveurs et agriculteurs au puits du village.",
)


def sender_number(index: int) -> str:
    """A distinct, well-formed Malian mobile number per index (up to ten million)."""
    return f"+2237{index % 10_000_000:07d}"


def message_sid() -> str:
    return "SM" + uuid.uuid4().hex


class SmsFactory:
    """Builds signed webhook requests on demand and remembers their MessageSids.

    ``sign_path`` lets the baseline receive exactly the bytes the webhook receives (signed
    for the webhook's URL), so both parse the same POST.
    """

    def __init__(self, *, token: str, public_base_url: str, path: str, first_sender: int, sign_path: str = "") -> None:
        self.validator = RequestValidator(token)
        self.url = public_base_url + (sign_path or path)
        self.path = path
        self.first_sender = first_sender
        self.sids: list[str] = []

    def __call__(self, i: int = 0) -> Request:
        # Numbered by the factory, not by the caller: every request of a factory has its own
        # sender even across runs, so no SMS joins another one's report.
        n = len(self.sids)
        sid = message_sid()
        params = {
            "ToCountry": "ML",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "SmsSid": sid,
            "SmsStatus": "received",
            "Body": BODIES[n % len(BODIES)],
            "To": "+22370000000",
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": "AC" + "0" * 32,
            "From": sender_number(self.first_sender + n),
            "ApiVersion": "2010-04-01",
        }
        headers = {"Content-Type": FORM, "X-Twilio-Signature": self.validator.compute_signature(self.url, params)}
        self.sids.append(sid)
        return self.path, urlencode(params).encode(), headers

    def batch(self, count: int) -> tuple[list[Request], list[str]]:
        """``count`` requests built ahead of an open-loop run, and their MessageSids."""
        first = len(self.sids)
        requests = [self() for _ in range(count)]
        return requests, self.sids[first:]


def ussd_request(*, path: str, session_id: str, phone: str, text: str, service_code: str) -> Request:
    params = {
        "sessionId": session_id,
        "serviceCode": service_code,
        "phoneNumber": phone,
        "networkCode": "61002",
        "text": text,
    }
    return path, urlencode(params).encode(), {"Content-Type": FORM}


class AndroidSmsFactory:
    """Signed SMS Gateway for Android ``sms:received`` events, each its own event id and
    sender (the number without its "+", as the network gives it)."""

    def __init__(self, *, signing_key: str, path: str, first_sender: int) -> None:
        self.key = signing_key.encode()
        self.path = path
        self.first_sender = first_sender
        self.sids: list[str] = []

    def __call__(self, i: int = 0) -> Request:
        n = len(self.sids)
        event_id = uuid.uuid4().hex[:21]
        event = {
            "deviceId": "bench-phone",
            "event": "sms:received",
            "id": event_id,
            "payload": {
                "messageId": uuid.uuid4().hex[:16],
                "message": BODIES[n % len(BODIES)],
                "phoneNumber": sender_number(self.first_sender + n).lstrip("+"),
                "simNumber": 1,
                "receivedAt": "2026-12-01T10:00:00.000+00:00",
            },
            "webhookId": "bench",
        }
        body = json.dumps(event).encode()
        stamp = str(int(time.time()))
        signature = hmac.new(self.key, body + stamp.encode(), hashlib.sha256).hexdigest()
        self.sids.append(event_id)
        return self.path, body, {"Content-Type": "application/json", "X-Timestamp": stamp, "X-Signature": signature}

    def batch(self, count: int) -> tuple[list[Request], list[str]]:
        first = len(self.sids)
        requests = [self() for _ in range(count)]
        return requests, self.sids[first:]
