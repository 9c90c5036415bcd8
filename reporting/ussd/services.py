"""USSD sessions: state kept server-side (encrypted), one row per gateway session.

A session lost or expired loses nothing already confirmed: the report was created at
confirmation; a new session starts at the first screen.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from messaging.ussd import UssdRequest, UssdScreen
from reporting.models import UssdSession
from reporting.ussd.engine import Engine, Screen
from reporting.ussd.texts import text as screen_text
from veille.phones import pseudonym_for

# Longest input the engine looks at: the 160 characters a reporter may add on the
# follow-up, plus one so that a longer text is refused whole rather than cut unseen.
MAX_INPUT_CHARS = 161


def ussd_handle(request: UssdRequest) -> Screen:
    """One request of a session, answered. Which input the request adds is the gateway's
    convention, read through ``request.new_input``; the session keeps the gateway's cursor."""
    allowed = settings.USSD_ALLOWED_SERVICE_CODES
    if allowed and request.service_code not in allowed:
        return Screen(screen_text("closed_service", "fr"), end=True)
    return _session_answer(request)


@transaction.atomic
def _session_answer(request: UssdRequest) -> Screen:
    pseudonym = pseudonym_for(request.phone_number)
    session, created = UssdSession.objects.select_for_update().get_or_create(
        gateway=request.gateway,
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
    engine = Engine(
        state, sender_pseudonym=session.sender_pseudonym, session_key=f"{request.gateway}:{session.session_id}"
    )
    new_input = request.new_input(state.get("seen")) if state else None
    if new_input is not None:
        new_input = new_input[:MAX_INPUT_CHARS]
    if not state.get("last"):
        screen = engine.current()
    elif new_input is None:
        last = state["last"]
        screen = Screen(last["text"], last["end"])  # a retried request gets the same screen
    else:
        screen = engine.answer(new_input)
    state["seen"] = request.cursor()
    session.state = state
    session.inputs_seen += 1
    if state.get("report_id"):
        session.report_id = state["report_id"]
    session.save()
    return screen


class MenuHandler:
    """The menu, as messaging's USSD flow reaches it (``settings.USSD_HANDLER``)."""

    def handle(self, request: UssdRequest) -> UssdScreen:
        return ussd_handle(request)

    def failure_screen(self) -> UssdScreen:
        return Screen(screen_text("error", "fr"), end=True)


ussd_handler = MenuHandler()


def ussd_sessions_purge() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.USSD_SESSION_TTL_SECONDS)
    deleted, _ = UssdSession.objects.filter(updated_at__lt=cutoff).delete()
    return deleted
