"""USSD sessions: state kept server-side (encrypted), one row per gateway session.

A session lost or expired loses nothing already confirmed: the report was created at
confirmation; a new session starts at the first screen.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reporting.models import UssdSession
from reporting.ussd.engine import Engine, Screen
from reporting.ussd.gateways.base import UssdRequest
from reporting.ussd.texts import text as screen_text
from veille.phones import pseudonym_for

# Longest input the engine looks at: menu numbers and 6-character receipt codes are far
# shorter, so anything longer is a wrong choice either way.
MAX_INPUT_CHARS = 64


def text_cursor(raw: str) -> dict[str, Any]:
    """What the session remembers of the text seen so far: its length and a digest, so the
    next request can be lined up with it without keeping what the resident typed."""
    return {"n": len(raw), "h": hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()}


def latest_input(seen: dict[str, Any] | None, raw: str) -> str | None:
    """The input this request adds. Africa's Talking sends every input so far joined by
    '*'; a resident's own text may contain '*', so the new input is what follows the
    text already seen, not the last '*'-separated piece. None: nothing new (a retry)."""
    if seen is None:
        return None if raw == "" else raw  # a first request that already carries input
    length = seen.get("n", 0)
    if text_cursor(raw) == seen:
        return None
    if length == 0:
        return raw
    if len(raw) > length and raw[length] == "*" and text_cursor(raw[:length]) == seen:
        return raw[length + 1 :]
    # A gateway that sends only the latest input, or a text we cannot line up: take it whole.
    return raw


@transaction.atomic
def ussd_handle(*, gateway: str, request: UssdRequest) -> Screen:
    pseudonym = pseudonym_for(request.phone_number)
    session, created = UssdSession.objects.select_for_update().get_or_create(
        gateway=gateway,
        session_id=request.session_id,
        defaults={"sender_pseudonym": pseudonym, "state": {}},
    )
    stale = not created and session.updated_at < timezone.now() - timedelta(seconds=settings.USSD_SESSION_TTL_SECONDS)
    if not created and not stale and session.sender_pseudonym != pseudonym:
        # The gateway does not sign its requests: a live session answers only the phone
        # that opened it, so a forged request cannot read or finish someone else's menu.
        return Screen(screen_text("error", "fr"), end=True)
    if stale:
        session.sender_pseudonym = pseudonym
    state = {} if created or stale else dict(session.state)
    engine = Engine(state, sender_pseudonym=session.sender_pseudonym, session_key=f"{gateway}:{session.session_id}")
    new_input = latest_input(state.get("seen"), request.text) if state else None
    if new_input is not None:
        new_input = new_input[:MAX_INPUT_CHARS]
    if not state.get("last"):
        screen = engine.current()
    elif new_input is None:
        last = state["last"]
        screen = Screen(last["text"], last["end"])  # a retried request gets the same screen
    else:
        screen = engine.answer(new_input)
    state["seen"] = text_cursor(request.text)
    session.state = state
    session.inputs_seen += 1
    if state.get("report_id"):
        session.report_id = state["report_id"]
    session.save()
    return screen


def ussd_sessions_purge() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.USSD_SESSION_TTL_SECONDS)
    deleted, _ = UssdSession.objects.filter(updated_at__lt=cutoff).delete()
    return deleted
