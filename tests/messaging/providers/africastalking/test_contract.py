"""Contract of the Africa's Talking USSD callback, from recorded payloads.

Africa's Talking signs nothing and sends no header of its own: a request is the gateway's
only with the callback secret in its path AND from an allowed network. Every other
request gets one and the same bare 403 (whichever check failed, whether the gateway
exists); an authenticated request always gets a valid CON/END screen with HTTP 200.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.utils import timezone

from reporting.models import Report, UssdSession
from tests.conftest import africastalking_url
from veille.gsm7 import USSD_SCREEN_LIMIT, gsm7_length, is_gsm7

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
PHONE = "+22376123456"
GATEWAY_ADDR = "127.0.0.1"  # in the test settings' allow-list
OUTSIDE_ADDR = "203.0.113.99"  # a documentation address, in no allow-list


def recorded(text: str = "", session_id: str = "ATUid_5f3c2a9e7b1d", **extra: str) -> bytes:
    """A callback as Africa's Talking posts it (field order and encoding as recorded)."""
    fields = {"sessionId": session_id, "serviceCode": "*123#", "phoneNumber": PHONE, "networkCode": "61002"}
    fields.update(extra)
    fields["text"] = text
    return urlencode(fields).encode()


@dataclass(frozen=True)
class Call:
    body: bytes = field(default_factory=recorded)
    path: str = ""  # default: the callback with the right secret
    addr: str = GATEWAY_ADDR
    method: str = "post"
    headers: dict[str, str] = field(default_factory=dict)


def send(client, call: Call):
    path = call.path or africastalking_url()
    if call.method == "get":
        return client.get(path, REMOTE_ADDR=call.addr, headers=call.headers)
    return client.generic(
        call.method.upper(), path, call.body, content_type=FORM, REMOTE_ADDR=call.addr, headers=call.headers
    )


def screen_of(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert body.startswith(("CON ", "END ")), body
    assert is_gsm7(body[4:]) and gsm7_length(body[4:]) <= USSD_SCREEN_LIMIT, body
    return body


def is_bare_403(response) -> bool:
    return response.status_code == 403 and response.content == b""


def wrong_secret() -> str:
    return africastalking_url().replace(settings.AFRICASTALKING_CALLBACK_SECRET, "x" * 43)


REFUSED = {
    "forged: wrong secret": Call(path="wrong"),
    "forged: secret one character short": Call(path="short"),
    "forged: no secret at all": Call(path="/channels/ussd/africastalking/"),
    "forged: no trailing slash": Call(path="noslash"),
    "wrong address, right secret": Call(addr=OUTSIDE_ADDR),
    "wrong address, wrong secret": Call(path="wrong", addr=OUTSIDE_ADDR),
    "wrong address claiming the gateway's in X-Forwarded-For": Call(
        addr=OUTSIDE_ADDR, headers={"X-Forwarded-For": GATEWAY_ADDR, "X-Real-IP": GATEWAY_ADDR}
    ),
    "unreadable address": Call(addr="not-an-address"),
    "unknown gateway": Call(path="unknown"),
    "GET with the right secret": Call(method="get"),
    "PUT with the right secret": Call(method="put"),
    "oversized from a wrong address (never parsed)": Call(addr=OUTSIDE_ADDR, body=recorded("1" * 3_000_000)),
}


def resolve_path(call: Call) -> Call:
    secret = settings.AFRICASTALKING_CALLBACK_SECRET
    paths = {
        "wrong": wrong_secret(),
        "short": f"/channels/ussd/africastalking/{secret[:-1]}/",
        "noslash": f"/channels/ussd/africastalking/{secret}",
        "unknown": f"/channels/ussd/nowhere/{secret}/",
    }
    return Call(call.body, paths.get(call.path, call.path), call.addr, call.method, call.headers)


@pytest.mark.parametrize("name", REFUSED)
def test_anything_but_the_gateway_gets_the_bare_403(client, gazetteer, name, caplog):
    caplog.set_level(logging.DEBUG)

    response = send(client, resolve_path(REFUSED[name]))

    assert is_bare_403(response), (response.status_code, response.content[:80])
    assert UssdSession.objects.count() == 0
    # Django's request log would write the path, and with it the secret tried.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert settings.AFRICASTALKING_CALLBACK_SECRET[:-1] not in logged and "x" * 43 not in logged


def test_every_refusal_is_the_same_answer(client, gazetteer):
    answers = set()
    for call in REFUSED.values():
        response = send(client, resolve_path(call))
        answers.add((response.status_code, response.content, tuple(sorted(response.items()))))

    assert len(answers) == 1, answers


def test_the_refusal_does_not_depend_on_the_middleware_having_run(rf):
    """A request that skipped the address check (no middleware) is refused, not let in."""
    from messaging.providers.africastalking.views import ussd_callback

    request = rf.post(africastalking_url(), recorded(), content_type=FORM)

    assert is_bare_403(ussd_callback(request, secret=settings.AFRICASTALKING_CALLBACK_SECRET))


def test_a_gateway_that_is_not_enabled_is_refused_like_an_unknown_one(client, gazetteer, settings):
    from django.urls import clear_url_caches

    settings.USSD_PROVIDERS = []
    import importlib

    import messaging.urls
    import veille.urls

    importlib.reload(messaging.urls)
    importlib.reload(veille.urls)
    clear_url_caches()
    try:
        assert is_bare_403(send(client, Call()))
    finally:
        settings.USSD_PROVIDERS = ["africastalking"]
        importlib.reload(messaging.urls)
        importlib.reload(veille.urls)
        clear_url_caches()
    assert screen_of(send(client, Call())).startswith("CON ")


# --- Authenticated: always a valid screen ------------------------------------------------

ANSWERED = {
    "first request of a session": (recorded(""), "CON Veille - signalement anonyme"),
    "first request already carrying input": (recorded("1"), "CON Veille - signalement anonyme"),
    "truncated: empty body": (b"", "END Désolé"),
    "truncated: cut in the middle of a field": (recorded("")[:25], "END Désolé"),
    "truncated: no phone number": (urlencode({"sessionId": "ATUid_1", "text": ""}).encode(), "END Désolé"),
    "truncated: no session id": (urlencode({"phoneNumber": PHONE, "text": ""}).encode(), "END Désolé"),
    "non-UTF-8 bytes in the text": (recorded("")[:-5] + b"text=%FF%FE", "CON Veille"),
    "non-UTF-8 bytes in the session id": (b"sessionId=%FF%FE&phoneNumber=%2B22376123456&text=", "CON Veille"),
    "raw Latin-1 bytes, not percent-encoded": (
        b"sessionId=ATUid_l1&phoneNumber=%2B22376123456&text=\xe9",
        "CON Veille",
    ),
    "oversized: body over the upload limit": (recorded("1" * 3_000_000), "END Désolé"),
    "oversized: too many fields": (recorded("") + b"&f=1" * 1200, "END Désolé"),
    "oversized: session id": (recorded("", session_id="x" * 500), "END Désolé"),
    "JSON instead of a form": (b'{"sessionId": "A", "phoneNumber": "+22376123456", "text": ""}', "END Désolé"),
}


@pytest.mark.parametrize("name", ANSWERED)
def test_an_authenticated_request_always_gets_a_valid_screen(client, gazetteer, name):
    body, start = ANSWERED[name]

    assert screen_of(send(client, Call(body=body))).startswith(start)
    assert Report.objects.count() == 0


def test_a_replayed_request_gets_the_same_screen_and_moves_nothing(client, gazetteer):
    screen_of(send(client, Call(body=recorded(""))))
    first = screen_of(send(client, Call(body=recorded("1"))))
    seen = UssdSession.objects.get().state["seen"]

    # The gateway retries on a timeout: the very same payload, several times.
    replays = [screen_of(send(client, Call(body=recorded("1")))) for _ in range(3)]

    assert replays == [first] * 3
    assert UssdSession.objects.get().state["seen"] == seen
    # The next real input goes on from where the session was, once.
    assert screen_of(send(client, Call(body=recorded("1*1")))).startswith("CON Quel incident ?")


def test_a_replayed_final_request_gets_the_same_receipt_and_no_second_report(client, gazetteer):
    inputs = ["1", "1", "1", "7", "4", "2", "1", "1", "2", "1"]
    for n in range(len(inputs)):
        screen_of(send(client, Call(body=recorded("*".join(inputs[:n])))))
    final = recorded("*".join(inputs))

    done = {screen_of(send(client, Call(body=final))) for _ in range(3)}

    assert len(done) == 1 and done.pop().startswith("END Merci")
    assert Report.objects.count() == 1


def test_a_stale_session_starts_again_at_the_first_screen(client, gazetteer):
    for text in ("", "1", "1*1"):
        screen_of(send(client, Call(body=recorded(text))))
    idle = timezone.now() - timedelta(seconds=settings.USSD_SESSION_TTL_SECONDS + 1)
    UssdSession.objects.update(updated_at=idle)

    # The gateway reuses the session id long after: nothing of the old menu is answered.
    screen = screen_of(send(client, Call(body=recorded("1*1*1"))))

    assert screen.startswith("CON Veille - signalement anonyme")
    assert Report.objects.count() == 0


def test_a_forged_request_with_a_live_session_id_reaches_nothing(client, gazetteer):
    """Without the secret, a known session id is worth nothing: not even an END screen."""
    for text in ("", "1"):
        screen_of(send(client, Call(body=recorded(text))))
    before = UssdSession.objects.get().state

    assert is_bare_403(send(client, Call(path=wrong_secret(), body=recorded("1*1"))))
    assert UssdSession.objects.get().state == before
