"""A small menu at the seam (``VOICE_HANDLER=tests.messaging.providers.sip.menu.handler``)
for the SIP agent's tests: it writes every event it gets to ``$SIP_TEST_EVENTS`` (one JSON
line each) so the test reads what the agent told the menu.

START asks one key (a prompt that exists and one the deployment lacks); "1" asks two keys;
"9" makes the menu fail (the agent must play the failure turn); any other keys or silence
end the call with a goodbye.
"""

from __future__ import annotations

import json
import os
import threading

from messaging.voice import CallEvent, Prompt, VoiceEvent, VoiceTurn

_lock = threading.Lock()


class TestMenu:
    def handle(self, event: VoiceEvent) -> VoiceTurn:
        with _lock, open(os.environ["SIP_TEST_EVENTS"], "a", encoding="utf-8") as out:
            record = {"call_id": event.call_id, "provider": event.provider, "event": str(event.event)}
            record |= {"digits": event.digits, "caller": event.caller, "turn": event.turn}
            out.write(json.dumps(record) + "\n")
        number = event.turn + 1
        if event.event == CallEvent.START:
            # An English turn whose welcome is the French file (the language choice says each
            # language in its own), words no one recorded (key ""), a file the deployment lacks.
            prompts = (Prompt("welcome", "Bienvenue", language="fr"), Prompt("", "Une question"))
            return VoiceTurn("en", (*prompts, Prompt("not.recorded", "Absent")), 1, 3, number=number)
        if event.event == CallEvent.DIGITS and event.digits == "1":
            return VoiceTurn(
                "fr", (Prompt("two_keys", "Deux touches"),), max_digits=2, timeout_seconds=3, number=number
            )
        if event.event == CallEvent.DIGITS and event.digits == "9":
            raise RuntimeError("the menu broke")
        return VoiceTurn("fr", (Prompt("goodbye", "Au revoir"),), max_digits=0, hangup=True, number=number)

    def failure_turn(self) -> VoiceTurn:
        return VoiceTurn("fr", (Prompt("sorry", "Désolé"),), max_digits=0, hangup=True)


handler = TestMenu()
