"""End to end: SIPp calls the running agent, which walks the real menu
(``reporting.voice.services.voice_handler``) on the test database; the keys (RFC 2833) file
a report in Hombori that reaches the commune's relays (their notices in the outbox), and
the caller's number is nowhere but as the report's pseudonym."""

from __future__ import annotations

import itertools
from urllib.parse import quote

import pytest
from django.db import connection, transaction

from messaging.models import OutboundMessage
from messaging.voice import CallEvent, VoiceEvent, VoiceTurn, voice_handler
from places.models import Cercle, Commune, Region
from reporting.models import Report, UssdSession
from tests.messaging.providers.sip.conftest import require_sipp, start_agent, stop_agent
from tests.messaging.providers.sip.rtp import write_keys_pcap
from veille.phones import pseudonym_for

CALLER, CALLER_E164 = "76100030", "+22376100030"
KEY_GAP_SECONDS = 0.8  # a key interrupts the prompts; the menu answers well within this


def database_url() -> str:
    """The test database, for the agent's own process."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def keys_of_a_report() -> list[str]:
    """The keys a caller presses to report an armed attack in Hombori today, 2 to 5
    people, not displaced, then send: found by walking the menu in a transaction rolled
    back (page layouts and place numbers are the menu's business, not this test's)."""
    pressed: list[str] = []
    counter = itertools.count()
    with transaction.atomic():
        turn = _event(CallEvent.START, "", 0)
        for step in (
            "1",
            "menu.report",
            "category.armed_attack",
            f"place.region.{Region.objects.get(name='Mopti').pk}",
            f"place.cercle.{Cercle.objects.get(name='Douentza').pk}",
            f"place.commune.{Commune.objects.get(name='Hombori').pk}",
            "when.today",
            "people.2-5",
            "no",
            "send",
        ):
            while len(step) > 1 and step not in [p.key for p in turn.prompts]:
                pressed.append("9")  # "more": the choice is on a later page
                turn = _event(CallEvent.DIGITS, "9", turn.number)
                assert next(counter) < 50
            digit = step if len(step) == 1 else _digit_for(turn, step)
            pressed.append(digit)
            turn = _event(CallEvent.DIGITS, digit, turn.number)
        assert turn.hangup and Report.objects.count() == 1  # the dry run filed it
        transaction.set_rollback(True)
    return pressed


def _event(kind: CallEvent, digits: str, number: int) -> VoiceTurn:
    caller = "+22376100099" if kind == CallEvent.START else ""
    event = VoiceEvent(provider="dry-run", call_id="dry-run", event=kind, digits=digits, caller=caller, turn=number)
    return voice_handler().handle(event)


def _digit_for(turn: VoiceTurn, key: str) -> str:
    keys = [p.key for p in turn.prompts]
    return keys[keys.index(key) + 1].removeprefix("press.")


@pytest.mark.django_db(transaction=True)
def test_a_call_by_keypad_files_a_report_that_reaches_the_relays(deployment, tmp_path):
    require_sipp()
    keys = keys_of_a_report()
    assert not Report.objects.exists()
    write_keys_pcap(tmp_path / "dtmf.pcap", [(1.5 + n * KEY_GAP_SECONDS, key) for n, key in enumerate(keys)])
    agent = start_agent(
        tmp_path / "agent",
        VOICE_HANDLER="reporting.voice.services.voice_handler",
        DATABASE_URL=database_url(),
        VOICE_GATHER_TIMEOUT_SECONDS="8",
    )
    try:
        agent.sipp("uac_dtmf_rfc2833.xml", CALLER, cwd=tmp_path)  # SIPp waits for the agent's BYE
    finally:
        assert stop_agent(agent) == 0

    report = Report.objects.get()
    assert (report.channel, report.commune.name, report.occurred, report.people_affected) == (
        "voice",
        "Hombori",
        "today",
        "2-5",
    )
    assert report.sender_pseudonym == pseudonym_for(CALLER_E164)
    notices = OutboundMessage.objects.filter(purpose="relay_notice")
    assert notices.exists()  # the commune's relays are told, as for an SMS report
    # The call is over: the menu kept no state for it (the agent told it HANGUP after its BYE).
    assert not UssdSession.objects.filter(gateway="voice:sip").exists()
    log = agent.log.read_text()
    assert CALLER not in log
    if connection.vendor == "sqlite":
        raw = open(connection.settings_dict["NAME"], "rb").read()
        assert CALLER.encode() not in raw  # neither in clear in any table
