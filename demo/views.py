"""The phone simulator: plays a resident's phone against the real webhooks.

SMS go through the Twilio webhook view with a genuine signature (computed with the
demo's auth token), voice calls through the Twilio Voice webhook likewise (each
prompt's words shown, its audio played from the platform's prompt URL), USSD through
the Africa's Talking callback with the demo's callback secret and through the privacy
middleware's address check (the simulator calls from loopback), exactly as the
providers would call them; what the platform sends back is read from the outbound queue.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from twilio.request_validator import RequestValidator

from messaging.models import OutboundMessage
from veille.phones import normalize_msisdn, pseudonym_candidates
from veille.privacy import ReporterMetadataMiddleware

SMS_PATH = "/channels/twilio/sms/"
ANDROID_PATH = "/channels/android/webhook/"
USSD_PATH = "/channels/ussd/africastalking/{secret}/"
VOICE_PATH = "/channels/twilio/voice/"
VOICE_STATUS_PATH = "/channels/twilio/voice/status/"
DEFAULT_NUMBER = "+223 76 00 00 01"
SERVICE_CODE = "*123#"


@dataclass
class PhoneScreen:
    text: str
    ended: bool


def _post_to_webhook(path: str, params: dict[str, str], headers: dict[str, str] | None = None) -> HttpResponse:
    request = RequestFactory().post(
        path, data=urlencode(params), content_type="application/x-www-form-urlencoded", headers=headers or {}
    )
    match = resolve(path.partition("?")[0])
    # Through the middleware that checks the caller's address (RequestFactory's 127.0.0.1)
    # against the callback's allow-list, then wipes it, as for a real request.
    return ReporterMetadataMiddleware(lambda req: match.func(req, *match.args, **match.kwargs))(request)


def _send_sms(number: str, body: str) -> HttpResponse:
    params = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": "AC" + "0" * 32,
        "From": number,
        "To": settings.TWILIO_FROM_NUMBER or "+22370000000",
        "Body": body,
        "NumMedia": "0",
    }
    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(
        settings.PUBLIC_BASE_URL + SMS_PATH, params
    )
    return _post_to_webhook(SMS_PATH, params, {"X-Twilio-Signature": signature})


def _send_sms_android(number: str, body: str) -> HttpResponse:
    """What SMS Gateway for Android posts when the phone receives an SMS, signed."""
    event = {
        "deviceId": "simulator",
        "event": "sms:received",
        "id": "sim-" + secrets.token_hex(12),
        "payload": {
            "messageId": secrets.token_hex(8),
            "message": body,
            # The network gives the number without its "+".
            "phoneNumber": (normalize_msisdn(number) or number).lstrip("+"),
            "simNumber": 1,
            "receivedAt": timezone.now().isoformat(),
        },
        "webhookId": "simulator",
    }
    raw = json.dumps(event).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(
        settings.ANDROID_GATEWAY_SIGNING_KEY.encode(), raw + stamp.encode(), hashlib.sha256
    ).hexdigest()
    request = RequestFactory().post(
        ANDROID_PATH,
        data=raw,
        content_type="application/json",
        headers={"X-Timestamp": stamp, "X-Signature": signature},
    )
    match = resolve(ANDROID_PATH)
    return match.func(request, *match.args, **match.kwargs)


def _ussd(number: str, session_id: str, text: str) -> PhoneScreen:
    params = {
        "sessionId": session_id,
        "serviceCode": SERVICE_CODE,
        "phoneNumber": number,
        "networkCode": "61002",
        "text": text,
    }
    response = _post_to_webhook(USSD_PATH.format(secret=settings.AFRICASTALKING_CALLBACK_SECRET), params)
    body = response.content.decode("utf-8", "replace")
    if body.startswith("CON "):
        return PhoneScreen(body[4:], ended=False)
    return PhoneScreen(body[4:] if body.startswith("END ") else body, ended=True)


@dataclass
class CallTurn:
    prompts: list[tuple[str, str]]  # (audio URL, or "" when none, words)
    action: str  # the gather's action path, "" once the call is over
    max_digits: int


def _signed_post(path: str, params: dict[str, str]) -> HttpResponse:
    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(settings.PUBLIC_BASE_URL + path, params)
    return _post_to_webhook(path, params, {"X-Twilio-Signature": signature})


def _voice(number: str, call_sid: str, action: str, digits: str | None) -> CallTurn | str:
    """One request of a call, as Twilio would make it; the TwiML read back into the
    prompts' words (from the prompt key in each URL) and the gather's action."""
    import xml.etree.ElementTree as ET
    from urllib.parse import urlsplit

    from reporting.voice.prompts import prompt_text

    params = {"CallSid": call_sid, "AccountSid": "AC" + "0" * 32, "From": number, "To": "+15005550006"}
    params["CallStatus"] = "in-progress"
    if digits:
        params["Digits"] = digits
    response = _signed_post(action or VOICE_PATH, params)
    if response.status_code != 200:
        return f"HTTP {response.status_code} — activez VOICE_PROVIDERS=twilio dans .env."
    root = ET.fromstring(response.content)  # noqa: S314  (TwiML of this platform's own webhook)
    prompts = []
    for element in root.iter():
        if element.tag == "Play":
            path = urlsplit(element.text or "").path
            language, _, key = path.removeprefix("/channels/voice/prompts/").removesuffix(".wav").partition("/")
            prompts.append((path, prompt_text(language, key)))
        elif element.tag == "Say":
            prompts.append(("", element.text or ""))
    gather = root.find("Gather")
    if gather is None:
        return CallTurn(prompts, "", 0)
    parts = urlsplit(gather.get("action", ""))
    return CallTurn(prompts, f"{parts.path}?{parts.query}", int(gather.get("numDigits", "1")))


def _inbox(number: str) -> list[OutboundMessage]:
    canonical = normalize_msisdn(number)
    if not canonical:
        return []
    return list(
        OutboundMessage.objects.filter(recipient_pseudonym__in=pseudonym_candidates(canonical)).order_by("-pk")[:20]
    )


# Exempt from CSRF, like the public form: reporter pages send no Referer (so browsers send
# "Origin: null") and set no cookie. The simulator exists only in demo mode and only plays
# a phone against the public webhooks, which anyone can call anyway.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def simulator(request: HttpRequest) -> HttpResponse:
    number = request.POST.get("number") or request.GET.get("number") or DEFAULT_NUMBER
    context: dict[str, object] = {
        "number": number,
        "service_code": SERVICE_CODE,
        "android_enabled": "android" in settings.SMS_PROVIDERS,
        "sms_provider": request.POST.get("provider", "twilio"),
    }
    action = request.POST.get("action")
    if action == "sms":
        body = request.POST.get("body", "").strip()
        if not body:
            context["sms_error"] = "Écrivez un message."
        elif not normalize_msisdn(number):
            context["sms_error"] = "Ce numéro n'est pas un numéro valide."
        else:
            via_android = request.POST.get("provider") == "android" and "android" in settings.SMS_PROVIDERS
            answer = _send_sms_android(number, body) if via_android else _send_sms(number, body)
            context["sms_provider"] = "android" if via_android else "twilio"
            context["sms_answer"] = f"HTTP {answer.status_code} — {answer.content.decode()}"
            context["sms_sent_at"] = timezone.localtime()
    elif action in {"dial", "reply"}:
        session_id = request.POST.get("session_id") if action == "reply" else "ATUid_" + secrets.token_hex(8)
        previous = request.POST.get("text", "") if action == "reply" else ""
        reply = request.POST.get("input", "")
        text = "" if action == "dial" else (f"{previous}*{reply}" if previous else reply)
        screen = _ussd(number, session_id or "", text)
        context.update({"ussd_screen": screen, "session_id": session_id, "text": text})
    elif action in {"call", "press", "wait", "hangup"}:
        call_sid = request.POST.get("call_sid") if action != "call" else "CA" + secrets.token_hex(16)
        if not call_sid or not call_sid.startswith("CA"):
            call_sid = "CA" + secrets.token_hex(16)
        if action == "hangup":
            _signed_post(VOICE_STATUS_PATH, {"CallSid": call_sid, "CallStatus": "completed", "From": number})
            context["call_over"] = True
        else:
            step = request.POST.get("call_action", "") if action != "call" else ""
            if action != "call" and not step.startswith(VOICE_PATH):
                step = VOICE_PATH  # the call is over or lost: call again
            digits = (request.POST.get("key") or request.POST.get("keys", "")).strip() if action == "press" else None
            turn = _voice(number, call_sid, step, digits)
            if isinstance(turn, str):
                context["call_error"] = turn
            else:
                context.update({"call_turn": turn, "call_sid": call_sid})
    context["inbox"] = _inbox(number)
    return render(request, "demo/simulator.html", context)
