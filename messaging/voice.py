"""Voice calls, provider-blind: the types a voice provider and the menu share.

A voice provider (``messaging/providers/<name>/``: Twilio Voice, the platform's own SIP
user agent) turns a call into events and renders the menu's answer (prompts to play, keys
to read) in its own protocol. The menu is not messaging's: it is reached through
``settings.VOICE_HANDLER`` (a dotted path), so messaging/ imports no app built on it, as
for USSD (``messaging.ussd``).

No audio from the caller is ever recorded, streamed or transcribed: a turn can only ask
for keypad digits (DTMF). The caller's number is handed over once, at the call's start,
for the handler to turn into a pseudonym; providers keep it nowhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class CallEvent(StrEnum):
    START = "start"  # the call was answered; ``caller`` is set, ``digits`` empty
    DIGITS = "digits"  # the caller pressed keys; ``digits`` holds them ("1", "12", "#", "*")
    SILENCE = "silence"  # the gather timed out with no key
    HANGUP = "hangup"  # the caller hung up (or the line dropped); the answer is not played


@dataclass(frozen=True)
class VoiceEvent:
    provider: str  # the provider folder's name ("twilio", "sip")
    call_id: str  # the provider's call id; state is kept server-side under it
    event: CallEvent
    digits: str = ""
    caller: str = ""  # E.164 number, START only, never stored by the provider
    # The number of the turn this event answers (``VoiceTurn.number``), when the provider
    # can echo it (Twilio: in the gather's action URL); 0 when it cannot. A request for an
    # older turn (a retry, a replay) gets the last answer again and moves nothing.
    turn: int = 0


@dataclass(frozen=True)
class Prompt:
    """One thing to say: ``key`` names the audio file (``<language>/<key>.<ext>`` in the
    prompt folder), ``text`` is its words (the simulator shows them; synthesis reads
    them). Place names, digits and letters are prompts too (``place.commune.<pk>``,
    ``digit.7``, ``letter.K``).

    ``language``: the file's language when it is not the turn's (the language choice says
    each language in its own). An empty ``key``: words no one could record in advance (a
    relay's own question and choices); a provider says ``text`` with its own synthesis if
    it has one, else skips it."""

    key: str
    text: str
    language: str = ""


@dataclass(frozen=True)
class VoiceTurn:
    """The menu's answer to one event: what to play, then how many keys to wait for.

    ``max_digits == 0`` with ``hangup`` False is not allowed: a turn either waits for keys
    or ends the call."""

    language: str
    prompts: tuple[Prompt, ...]
    max_digits: int = 1
    timeout_seconds: int = 8
    hangup: bool = False
    # Counts the call's turns; a provider that can, echoes it back (``VoiceEvent.turn``).
    number: int = 0
    # A gather of several keys ends early on "#" (the handler reads "0#" as "0").
    finish_on_key: str = "#"


class VoiceHandler(Protocol):
    def handle(self, event: VoiceEvent) -> VoiceTurn: ...

    def failure_turn(self) -> VoiceTurn:
        """The turn for an event that cannot be served (a fault): an apology and a hang-up;
        must need no database."""
        ...


@cache
def _handler(path: str) -> VoiceHandler:
    return import_string(path)


def voice_handler() -> VoiceHandler:
    return _handler(settings.VOICE_HANDLER)


# A prompt key names a file: letters, digits, dots, dashes and underscores only, so that no
# key (a place's pk, a letter) can climb out of the prompt folder.
PROMPT_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def prompt_path(language: str, key: str) -> Path | None:
    """The audio file of one prompt, ``<VOICE_PROMPT_DIR>/<language>/<key>.wav`` (WAV, mono,
    8 kHz, 16-bit PCM: what telephony plays without resampling), or None when the
    deployment has none or the key is not a file name."""
    if not (LANGUAGE_CODE.fullmatch(language) and PROMPT_KEY.fullmatch(key)) or ".." in key:
        return None
    path = Path(settings.VOICE_PROMPT_DIR) / language / f"{key}.wav"
    return path if path.is_file() else None
