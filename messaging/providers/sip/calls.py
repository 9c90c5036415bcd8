"""One call's progress through the menu, without any SIP: what the agent must do next.

The menu keeps the call's state (server-side, under ``call_id``); a session only knows
which turn is playing, the keys gathered for it and when the gather times out. It holds
no number and no address: ``call_id`` is drawn here, not taken from the SIP Call-ID
(which often carries the caller's host).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from enum import StrEnum

from messaging.voice import CallEvent, VoiceEvent, VoiceTurn

PROVIDER = "sip"
# Keys a caller can press (RFC 4733 events 0-15); A-D exist on some handsets and are
# passed on as they are: the menu answers keys it does not expect like any wrong key.
DTMF_KEYS = frozenset("0123456789*#ABCD")


class Phase(StrEnum):
    ASKING = "asking"  # an event is with the menu; keys pressed now are dropped
    PLAYING = "playing"  # the turn's prompts are playing; a key interrupts them
    GATHERING = "gathering"  # the prompts are done; waiting for keys until the deadline
    ENDING = "ending"  # a hang-up turn: its prompts play, then the agent hangs up
    GONE = "gone"  # the call ended; nothing more is sent for it


@dataclass
class CallSession:
    call_id: str = field(default_factory=lambda: "sip-" + secrets.token_urlsafe(16))
    phase: Phase = Phase.ASKING
    turn: VoiceTurn | None = None
    digits: str = ""
    deadline: float | None = None  # monotonic time of the next step (prompts done, gather over)
    media_ready: bool = False
    in_flight: bool = False  # an event is with the menu
    queued: list[VoiceEvent] = field(default_factory=list)  # events waiting for it (a hang-up)

    def event(self, kind: CallEvent, digits: str = "", caller: str = "") -> VoiceEvent:
        # ``turn``: the number of the turn this event answers (0 before the first), so the
        # menu can tell an answer to its last turn from a stale one.
        number = self.turn.number if self.turn is not None else 0
        return VoiceEvent(
            provider=PROVIDER, call_id=self.call_id, event=kind, digits=digits, caller=caller, turn=number
        )

    def key(self, digit: str, now: float) -> VoiceEvent | None:
        """A key pressed: the event to send when it completes the gather, else None.

        Keys count only while a turn waits for them (prompts playing or gathering). With
        more than one key asked, the turn's ``finish_on_key`` (``#``) ends the entry early
        and is not sent, as on Twilio; on its own it is a key like any other."""
        if digit not in DTMF_KEYS or self.phase not in (Phase.PLAYING, Phase.GATHERING) or self.turn is None:
            return None
        self.phase = Phase.GATHERING
        self.deadline = now + self.turn.timeout_seconds  # the gap allowed before the next key
        if digit == self.turn.finish_on_key and self.turn.max_digits > 1 and self.digits:
            return self._ask(CallEvent.DIGITS, self.digits)
        self.digits += digit
        if len(self.digits) >= self.turn.max_digits:
            return self._ask(CallEvent.DIGITS, self.digits)
        return None

    def timed_out(self) -> VoiceEvent | None:
        """The gather's deadline passed: what was typed, or silence."""
        if self.phase is not Phase.GATHERING:
            return None
        if self.digits:
            return self._ask(CallEvent.DIGITS, self.digits)
        return self._ask(CallEvent.SILENCE, "")

    def _ask(self, kind: CallEvent, digits: str) -> VoiceEvent:
        self.phase = Phase.ASKING
        self.deadline = None
        self.digits = ""
        return self.event(kind, digits)
