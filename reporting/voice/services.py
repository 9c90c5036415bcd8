"""Voice calls: the USSD menu, spoken, answered by keypad (``settings.VOICE_HANDLER``).

State is kept server-side per call, encrypted, in the same table as USSD sessions
(``UssdSession``, gateway ``voice:<provider>``, session id the provider's call id). The
caller's number becomes a pseudonym at the call's start and is kept nowhere. Every event
has a defined outcome:

- a key: the engine's next step, or the same step again after "Choix invalide.";
- silence: the step again after "Aucune touche reçue.", then, after
  ``VOICE_MAX_SILENCES`` in a row, a goodbye and a hang-up;
- a hang-up: the call's state is deleted; a report confirmed before it is kept (it was
  filed at confirmation, before the receipt was spoken);
- an event for a call the platform does not know (expired, purged): an apology and a
  hang-up, nothing filed;
- a retried or replayed request for an earlier turn: the answer already given, again.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db import transaction

from messaging.models import Channel
from messaging.voice import CallEvent, Prompt, VoiceEvent, VoiceTurn
from reporting.models import UssdSession
from reporting.ussd import texts
from reporting.ussd.engine import Engine
from reporting.voice import render
from veille.phones import pseudonym_for


def gateway_of(provider: str) -> str:
    return f"voice:{provider}"[:32]


def _turn(engine: Engine, *, invalid: bool = False, before: tuple[Prompt, ...] = ()) -> VoiceTurn:
    view = engine.view(invalid=invalid)
    ends = render.view_ends_call(view)
    return VoiceTurn(
        language=engine.lang,
        prompts=before + render.view_prompts(engine, view),
        max_digits=0 if ends else render.view_max_digits(view),
        timeout_seconds=settings.VOICE_GATHER_TIMEOUT_SECONDS,
        hangup=ends,
    )


def _numbered(turn: VoiceTurn, state: dict[str, Any]) -> VoiceTurn:
    """Give the turn the call's next number and remember it, for retries."""
    state["turn"] = state.get("turn", 0) + 1
    numbered = VoiceTurn(**{**asdict(turn), "prompts": turn.prompts, "number": state["turn"]})
    state["last_turn"] = {**asdict(numbered), "prompts": [asdict(prompt) for prompt in numbered.prompts]}
    return numbered


def _stored_turn(state: dict[str, Any]) -> VoiceTurn:
    last = dict(state["last_turn"])
    last["prompts"] = tuple(Prompt(**prompt) for prompt in last["prompts"])
    return VoiceTurn(**last)


def goodbye_turn(language: str) -> VoiceTurn:
    prompt = render.text_prompt("goodbye", language)
    return VoiceTurn(language=language, prompts=(prompt,), max_digits=0, hangup=True)


def voice_answer(event: VoiceEvent) -> VoiceTurn:
    gateway, call_id = gateway_of(event.provider), event.call_id[:100]
    if event.event == CallEvent.HANGUP:
        # Nothing to play; nothing kept. A confirmed report was filed already.
        UssdSession.objects.filter(gateway=gateway, session_id=call_id).delete()
        return VoiceTurn(language="fr", prompts=(), max_digits=0, hangup=True)
    with transaction.atomic():
        return _answer(event, gateway, call_id)


def _answer(event: VoiceEvent, gateway: str, call_id: str) -> VoiceTurn:
    session = UssdSession.objects.select_for_update().filter(gateway=gateway, session_id=call_id).first()
    if session is None:
        if event.event != CallEvent.START:
            return voice_handler.failure_turn()  # a call this platform no longer knows
        session = UssdSession(
            gateway=gateway,
            session_id=call_id,
            # The number, once, to a pseudonym: the row keeps only that.
            sender_pseudonym=pseudonym_for(event.caller) if event.caller.strip() else "",
            state={},
        )
    state: dict[str, Any] = dict(session.state or {})
    if state.get("last_turn") and (event.event == CallEvent.START or 0 < event.turn < state["turn"]):
        return _stored_turn(state)  # a retried request: the same answer, nothing moved
    engine = Engine(
        state, sender_pseudonym=session.sender_pseudonym, session_key=f"{gateway}:{call_id}", channel=Channel.VOICE
    )
    if state.get("ended"):
        return _stored_turn(state)  # the call is over (receipt, goodbye): same last words
    if event.event == CallEvent.START:
        turn = _turn(engine)
    elif event.event == CallEvent.SILENCE:
        state["silences"] = state.get("silences", 0) + 1
        if state["silences"] > settings.VOICE_MAX_SILENCES:
            turn = goodbye_turn(engine.lang)
        else:
            turn = _turn(engine, before=(render.text_prompt("silence", engine.lang),))
    else:
        state["silences"] = 0
        digits = event.digits.strip()[:20]
        if len(digits) > 1 and digits.endswith("#"):
            digits = digits[:-1]  # "0#": a short answer to a gather of several keys
        accepted = engine.take(digits)
        turn = _turn(engine, invalid=accepted is False)
    if turn.hangup:
        state["ended"] = True
    numbered = _numbered(turn, state)
    session.state = state
    session.inputs_seen = min(session.inputs_seen + 1, 32767)
    if state.get("report_id"):
        session.report_id = state["report_id"]
    session.save()
    return numbered


class VoiceMenu:
    """The menu, as messaging's voice providers reach it (``settings.VOICE_HANDLER``)."""

    def handle(self, event: VoiceEvent) -> VoiceTurn:
        return voice_answer(event)

    def failure_turn(self) -> VoiceTurn:
        prompt = Prompt("error", texts.spoken("error", "fr"))
        return VoiceTurn(language="fr", prompts=(prompt,), max_digits=0, hangup=True)


voice_handler = VoiceMenu()
