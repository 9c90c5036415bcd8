"""USSD sessions: state kept server-side (encrypted), one row per gateway session.

A session lost or expired loses nothing already confirmed: the report was created at
confirmation; a new session starts at the first screen.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reporting.models import UssdSession
from reporting.ussd.engine import Engine, Screen
from reporting.ussd.gateways.base import UssdRequest
from veille.phones import pseudonym_for


def latest_input(seen: str | None, text: str) -> str | None:
    """The input this request adds. Africa's Talking sends every input so far joined by
    '*'; a resident's own text may contain '*', so the new input is what follows the
    text already seen, not the last '*'-separated piece. None: nothing new (a retry)."""
    if seen is None:
        return None if text == "" else text  # a first request that already carries input
    if text == seen:
        return None
    if seen == "":
        return text
    if text.startswith(seen + "*"):
        return text[len(seen) + 1 :]
    # A gateway that sends only the latest input, or a text we cannot line up: take it whole.
    return text


@transaction.atomic
def ussd_handle(*, gateway: str, request: UssdRequest) -> Screen:
    session, created = UssdSession.objects.select_for_update().get_or_create(
        gateway=gateway,
        session_id=request.session_id,
        defaults={"sender_pseudonym": pseudonym_for(request.phone_number), "state": {}},
    )
    stale = not created and session.updated_at < timezone.now() - timedelta(seconds=settings.USSD_SESSION_TTL_SECONDS)
    state = {} if created or stale else dict(session.state)
    engine = Engine(state, sender_pseudonym=session.sender_pseudonym)
    new_input = latest_input(state.get("seen"), request.text) if state else None
    if not state.get("last"):
        screen = engine.current()
    elif new_input is None:
        last = state["last"]
        screen = Screen(last["text"], last["end"])  # a retried request gets the same screen
    else:
        screen = engine.answer(new_input)
    state["seen"] = request.text
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
