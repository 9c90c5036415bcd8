"""Issue 9 end to end on PostgreSQL and Redis, with a real worker and a real scheduler,
and the two providers' APIs as real HTTP servers on loopback (the SMS Gateway for
Android phone, and Twilio through ``TWILIO_API_BASE_URL``): the backends are the
production ones, built from settings in the worker.

A resident texts the phone; the relays are told through the phone. Then the phone stops
pinging and its sends fail: the next resident's notices fall over to Twilio, the
scheduler marks the phone down and the coordinators are warned by Twilio. Nothing is
lost and nothing is sent twice."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from tests.integration.conftest import PROJECT, free_port, post_sms, sid, wait_until

pytestmark = pytest.mark.integration
SIGNING_KEY = "integration-signing-key-0123456789abcdef"


class FakeProviders:
    """The phone's API and Twilio's, recording what reaches them."""

    def __init__(self) -> None:
        self.phone_sends: list[dict] = []
        self.twilio_sends: list[dict] = []
        self.phone_failing = False
        self.lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        providers = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                return

            def _reply(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.endswith("/messages"):
                    if providers.phone_failing:
                        self._reply(503, {"code": 503, "message": "no service"})
                        return
                    payload = json.loads(raw)
                    message_id = uuid.uuid4().hex[:21]
                    with providers.lock:
                        providers.phone_sends.append(payload)
                    self._reply(
                        202,
                        {
                            "id": message_id,
                            "state": "Pending",
                            "recipients": [{"phoneNumber": n, "state": "Pending"} for n in payload["phoneNumbers"]],
                            "isHashed": False,
                            "isEncrypted": False,
                        },
                    )
                elif self.path.endswith("/Messages.json"):
                    form = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
                    with providers.lock:
                        providers.twilio_sends.append(form)
                    self._reply(201, {"sid": "SM" + uuid.uuid4().hex, "status": "queued", "to": form.get("To")})
                else:
                    self._reply(404, {"code": 404, "message": "not found"})

        return Handler


@pytest.fixture
def providers() -> Iterator[tuple[FakeProviders, str]]:
    fakes = FakeProviders()
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), fakes.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fakes, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def gateway_env(workers, providers, settings) -> FakeProviders:
    fakes, base = providers
    common = {
        "SMS_PROVIDERS": "android,twilio",
        "SMS_ROUTES": "+223=android,twilio;*=twilio",
        "ANDROID_GATEWAY_URL": base,
        "ANDROID_GATEWAY_USERNAME": "sms",
        "ANDROID_GATEWAY_PASSWORD": "gateway-password",
        "ANDROID_GATEWAY_SIGNING_KEY": SIGNING_KEY,
        "ANDROID_GATEWAY_SMS_PER_MINUTE": "6000",
        "ANDROID_GATEWAY_HTTP_TIMEOUT_SECONDS": "2",
        "ANDROID_GATEWAY_PING_TIMEOUT_MINUTES": "0.1",
        "ANDROID_GATEWAY_FAILURES_BEFORE_DOWN": "2",
        "TWILIO_API_BASE_URL": base,
        "SMS_SEND_RATE_PER_SECOND": "1000",
        "GATEWAY_WATCH_SECONDS": "1",
    }
    workers.env.update(common)
    # The real backends, not the console: no SMS_BACKEND in production mode.
    workers.env["SMS_BACKEND"] = ""
    workers.env["VEILLE_DEMO"] = "0"
    settings.SMS_PROVIDERS = ["android", "twilio"]
    settings.ANDROID_GATEWAY_SIGNING_KEY = SIGNING_KEY
    return fakes


@pytest.fixture
def beat(workers, gateway_env, tmp_path):
    log = (tmp_path / "beat.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "veille", "beat", "-l", "info", "-s", str(tmp_path / "schedule")],
        cwd=PROJECT,
        env=workers.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def phone_event(event: str, event_id: str, payload: dict, device: str = "phone-mopti-1"):
    from django.test import Client

    raw = json.dumps({"deviceId": device, "event": event, "id": event_id, "payload": payload, "webhookId": "w1"})
    stamp = str(int(time.time()))
    signature = hmac.new(SIGNING_KEY.encode(), raw.encode() + stamp.encode(), hashlib.sha256).hexdigest()
    return Client().post(
        "/channels/android/webhook/",
        data=raw,
        content_type="application/json",
        HTTP_X_TIMESTAMP=stamp,
        HTTP_X_SIGNATURE=signature,
    )


def test_a_resident_texts_the_phone_then_the_phone_dies_and_twilio_takes_over(workers, gateway_env, beat, deployment):
    from messaging.models import GatewayDevice, InboundMessage, InboundStatus, OutboundMessage, OutboundStatus
    from reporting.models import Report

    fakes = gateway_env
    workers.start("w1")
    assert phone_event("system:ping", "ping-1", {}, device="").status_code == 200

    # 1. A resident texts the phone's local number.
    received = phone_event(
        "sms:received",
        "ev-resident-1",
        {"messageId": "c0ntent", "message": "attaque au marche de boni, 3 blesses", "phoneNumber": "22366000001"},
        device="",
    )
    assert received.status_code == 200
    wait_until(
        lambda: (
            OutboundMessage.objects.filter(purpose="relay_notice").exists()
            and not OutboundMessage.objects.filter(status__in=[OutboundStatus.QUEUED, OutboundStatus.SENDING]).exists()
        ),
        timeout=40,
        what=f"relay notices through the phone\n{workers.logs()}",
    )
    first_notices = list(OutboundMessage.objects.filter(purpose="relay_notice").values_list("pk", "provider"))
    assert {provider for _, provider in first_notices} == {"android"}
    assert fakes.twilio_sends == []

    # 2. The phone stops pinging and its sends fail; the next resident texts Twilio.
    fakes.phone_failing = True
    before = OutboundMessage.objects.count()
    assert post_sms("+22366000002", "engin explosif sur la route de boni", sid(2)).status_code == 200
    wait_until(
        lambda: (
            Report.objects.count() == 2
            and OutboundMessage.objects.filter(pk__gt=0).count() > before
            and not OutboundMessage.objects.filter(status__in=[OutboundStatus.QUEUED, OutboundStatus.SENDING]).exists()
        ),
        timeout=60,
        what=f"the second report's messages to leave\n{workers.logs()}",
    )
    later_notices = OutboundMessage.objects.filter(purpose="relay_notice").exclude(
        pk__in=[pk for pk, _ in first_notices]
    )
    assert later_notices.exists()
    assert set(later_notices.values_list("provider", flat=True)) == {"twilio"}

    # 3. The scheduler marks the phone down and warns the coordinators, by Twilio.
    wait_until(
        lambda: OutboundMessage.objects.filter(purpose="gateway_down", status=OutboundStatus.SENT).exists(),
        timeout=40,
        what=f"the coordinators' warning\n{workers.logs()}",
    )
    wait_until(
        lambda: not OutboundMessage.objects.filter(status__in=[OutboundStatus.QUEUED, OutboundStatus.SENDING]).exists(),
        timeout=40,
        what=f"every message to leave\n{workers.logs()}",
    )
    assert GatewayDevice.objects.get(device_id="").state == "down"
    warnings = OutboundMessage.objects.filter(purpose="gateway_down")
    assert set(warnings.values_list("provider", flat=True)) == {"twilio"}

    # Nothing lost, nothing sent twice.
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {InboundStatus.PROCESSED}
    sent = OutboundMessage.objects.filter(status=OutboundStatus.SENT)
    assert sent.count() == len(fakes.phone_sends) + len(fakes.twilio_sends)
    assert not OutboundMessage.objects.exclude(status=OutboundStatus.SENT).exists()
    pairs = [(p["phoneNumbers"][0], p["textMessage"]["text"]) for p in fakes.phone_sends]
    pairs += [(f["To"], f["Body"]) for f in fakes.twilio_sends]
    assert len(pairs) == len(set(pairs)), "an SMS was sent twice"
