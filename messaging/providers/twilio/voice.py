"""Twilio Voice: the voice menu as TwiML, keypad only, and call logs deleted at the end.

``POST /channels/twilio/voice/`` is the number's voice URL (set in Twilio's console) and
every gather's action; ``POST /channels/twilio/voice/status/`` is its status callback.
Both are signed like SMS (``X-Twilio-Signature`` against ``PUBLIC_BASE_URL``).

What the caller hears is ``<Play>`` of prompts the platform serves itself
(``/channels/voice/prompts/<language>/<key>.wav``); what the caller does is read only
through ``<Gather input="dtmf">``. No TwiML made here can hold ``<Record>``, speech
input, ``<Dial>`` or ``<Stream>``: no audio from the caller is recorded, streamed or
transcribed, ever (tests/messaging/providers/twilio/test_voice.py checks every turn the
menu can produce). A relay's own words, for which no recording can exist, are said with
``<Say>`` (Twilio's synthesis) in French or English, and skipped in other languages.

Each gather's action carries the turn's number (``?t=``): a request Twilio retries, or a
replay of a signed one, answers a turn already answered and gets the same TwiML again.
The caller's number (``From``) is handed to the menu at the call's start only, to become
a pseudonym; location fields (FromCity, CallerZip, ...) are never read.
"""

from __future__ import annotations

import logging
import re
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.request_validator import RequestValidator

from messaging.backends.base import TransientSendError
from messaging.voice import CallEvent, VoiceEvent, VoiceTurn, prompt_path, prompt_url, voice_handler

logger = logging.getLogger(__name__)

PROVIDER = "twilio"
CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
# The call is over: Twilio's final CallStatus values.
ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}
# Twilio's own synthesis, for words no one recorded (a relay's question), by language.
SAY_LANGUAGES = {"fr": "fr-FR", "en": "en-GB"}
DIGITS = re.compile(r"^[0-9*#]{0,20}$")


def enabled() -> bool:
    return PROVIDER in settings.VOICE_PROVIDERS


def _public_url(request: HttpRequest) -> str:
    return settings.PUBLIC_BASE_URL + request.get_full_path()


def _signature_is_valid(request: HttpRequest) -> bool:
    if not enabled():
        raise Http404("twilio voice is not enabled")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(_public_url(request), request.POST, signature)


def twiml(turn: VoiceTurn) -> str:
    """A turn as TwiML: its prompts played inside a keypad gather, or played then hung up."""
    said = "".join(_say(turn.language, prompt.key, prompt.text, prompt.language) for prompt in turn.prompts)
    if turn.hangup or turn.max_digits <= 0:
        body = f"{said}<Hangup/>"
    else:
        action = f"{settings.PUBLIC_BASE_URL}/channels/twilio/voice/?t={turn.number}"
        attributes = (
            f'input="dtmf" numDigits="{turn.max_digits}" timeout="{turn.timeout_seconds}"'
            f' finishOnKey={quoteattr(turn.finish_on_key)} actionOnEmptyResult="true"'
            f' action={quoteattr(action)} method="POST"'
        )
        body = f"<Gather {attributes}>{said}</Gather>"
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'


def _say(turn_language: str, key: str, text: str, prompt_language: str) -> str:
    language = prompt_language or turn_language
    if key and prompt_path(language, key) is not None:
        return f"<Play>{escape(prompt_url(language, key))}</Play>"
    # No recording: a relay's words (key ""), or a prompt this deployment lacks (the
    # completeness test keeps that from happening for a declared language).
    if language in SAY_LANGUAGES and text.strip():
        return f'<Say language="{SAY_LANGUAGES[language]}">{escape(text)}</Say>'
    return ""


def _response(turn: VoiceTurn) -> HttpResponse:
    return HttpResponse(twiml(turn), content_type="text/xml; charset=utf-8")


def _turn_number(request: HttpRequest) -> int:
    raw = request.GET.get("t", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 0


@csrf_exempt
@require_POST
def voice_webhook(request: HttpRequest) -> HttpResponse:
    if not _signature_is_valid(request):
        logger.warning("twilio voice: signature rejected")
        return HttpResponseForbidden("invalid signature", content_type="text/plain")
    call_sid = request.POST.get("CallSid", "")
    if not CALL_SID.match(call_sid):
        return HttpResponseBadRequest("CallSid is required", content_type="text/plain")
    handler = voice_handler()
    turn_number = _turn_number(request)
    if request.POST.get("CallStatus", "") in ENDED:
        kind, digits = CallEvent.HANGUP, ""
    elif "t" not in request.GET:
        kind, digits = CallEvent.START, ""  # the number's voice URL: the call was answered
    else:
        digits = request.POST.get("Digits", "")
        if not DIGITS.match(digits):
            digits = "x"  # not a key the menu knows: "invalid choice", the step again
        kind = CallEvent.DIGITS if digits else CallEvent.SILENCE
    event = VoiceEvent(
        provider=PROVIDER,
        call_id=call_sid,
        event=kind,
        digits=digits,
        caller=request.POST.get("From", "") if kind == CallEvent.START else "",
        turn=turn_number,
    )
    try:
        turn = handler.handle(event)
    except Exception as exc:
        # Where it failed, never what was pressed nor who called.
        logger.error("twilio voice: the menu failed (%s)", type(exc).__name__)
        turn = handler.failure_turn()
    return _response(turn)


@csrf_exempt
@require_POST
def voice_status(request: HttpRequest) -> HttpResponse:
    """The call's status callback: at the end, the menu forgets the call and Twilio's log
    of it (numbers, times) is deleted by a worker."""
    if not _signature_is_valid(request):
        logger.warning("twilio voice status: signature rejected")
        return HttpResponseForbidden("invalid signature", content_type="text/plain")
    call_sid = request.POST.get("CallSid", "")
    if not CALL_SID.match(call_sid):
        return HttpResponseBadRequest("CallSid is required", content_type="text/plain")
    if request.POST.get("CallStatus", "") not in ENDED:
        return HttpResponse(status=204)
    try:
        voice_handler().handle(VoiceEvent(provider=PROVIDER, call_id=call_sid, event=CallEvent.HANGUP))
    except Exception as exc:
        logger.error("twilio voice status: the menu failed (%s)", type(exc).__name__)
    from messaging.tasks import delete_voice_call_log

    delete_voice_call_log.delay(PROVIDER, call_sid)
    return HttpResponse(status=204)


def delete_call_log(call_sid: str) -> bool:
    """Delete the call from Twilio's logs (True: gone). Twilio keeps a call's numbers and
    times until its log is deleted; a call still in progress cannot be, and is retried."""
    from messaging.providers.twilio.backend import build_client

    if not CALL_SID.match(call_sid) or not settings.TWILIO_ACCOUNT_SID:
        return False  # (no account SID: the demo, whose calls are the simulator's)
    try:
        return bool(build_client().calls(call_sid).delete())
    except TwilioRestException as exc:
        if exc.status == 404:
            return True  # already gone
        raise TransientSendError(str(exc.code or exc.status)) from exc
    except (TwilioException, OSError) as exc:
        raise TransientSendError("network") from exc
