"""The agent's pieces without SIP: a call's gather (keys, ``#``, timeouts), the caller's
number as PJSIP reports it, the redaction of PJSIP's own log lines, the turns it refuses,
the allow-list."""

from __future__ import annotations

import ipaddress

import pytest

from messaging.providers.sip.agent import caller_number, check_turn, prompt_seconds, redact_pj
from messaging.providers.sip.calls import CallSession, Phase
from messaging.providers.sip.config import SipConfig
from messaging.voice import CallEvent, Prompt, VoiceTurn
from tests.messaging.providers.sip.conftest import write_tone


def gathering(max_digits: int, timeout: int = 5) -> CallSession:
    session = CallSession()
    session.turn = VoiceTurn("fr", (Prompt("menu", "Menu"),), max_digits=max_digits, timeout_seconds=timeout)
    session.phase = Phase.PLAYING
    return session


def test_one_key_completes_a_one_key_turn():
    session = gathering(1)

    event = session.key("7", now=10.0)

    assert (event.event, event.digits, event.caller) == (CallEvent.DIGITS, "7", "")
    assert session.phase is Phase.ASKING and session.digits == ""


def test_keys_gather_until_the_count_or_the_timeout():
    session = gathering(3, timeout=4)

    assert session.key("1", now=10.0) is None
    assert session.key("2", now=11.0) is None
    assert session.deadline == 15.0  # the gap allowed after the last key
    event = session.timed_out()
    assert (event.event, event.digits) == (CallEvent.DIGITS, "12")


def test_hash_ends_a_longer_entry_but_is_a_key_on_its_own():
    session = gathering(4)
    session.key("4", now=1.0)
    assert session.key("#", now=2.0).digits == "4"

    alone = gathering(4)
    assert alone.key("#", now=1.0) is None and alone.digits == "#"
    assert gathering(1).key("#", now=1.0).digits == "#"


def test_no_key_before_the_timeout_is_silence():
    session = gathering(1)
    session.phase = Phase.GATHERING

    assert session.timed_out().event == CallEvent.SILENCE


def test_keys_while_the_menu_thinks_or_after_the_end_are_dropped():
    for phase in (Phase.ASKING, Phase.ENDING, Phase.GONE):
        session = gathering(1)
        session.phase = phase
        assert session.key("1", now=1.0) is None
        assert session.timed_out() is None
        assert session.digits == ""


def test_a_key_no_keypad_has_is_dropped():
    session = gathering(1)

    assert session.key("Z", now=1.0) is None and session.key("", now=1.0) is None
    assert session.phase is Phase.PLAYING


def test_every_call_has_its_own_random_id():
    ids = {CallSession().call_id for _ in range(100)}

    assert len(ids) == 100 and all(call_id.startswith("sip-") for call_id in ids)


@pytest.mark.parametrize(
    ("remote_uri", "number"),
    [
        ("<sip:76123456@192.0.2.10>", "+22376123456"),
        ('"Awa" <sip:+22376123456@gw.example;user=phone>', "+22376123456"),
        ("sip:0022366123456@192.0.2.10:5060", "+22366123456"),
        ("<tel:+22376123456>", "+22376123456"),
        ("<sip:anonymous@anonymous.invalid>", ""),
        ("", ""),
        ("garbage", ""),
    ],
)
def test_the_caller_number_in_e164_or_nothing(remote_uri, number):
    assert caller_number(remote_uri) == number


def test_pjsip_log_lines_lose_uris_addresses_and_numbers():
    line = "Call 0: From <sip:+22376123456@192.0.2.10:5060> via 192.0.2.10:5060 [2001:db8::1]:5060 22376123456"

    redacted = redact_pj(line)

    for kept in ("76123456", "192.0.2.10", "2001:db8"):
        assert kept not in redacted


def test_turns_the_agent_cannot_play_are_refused():
    with pytest.raises(TypeError):
        check_turn("not a turn")
    with pytest.raises(ValueError):
        check_turn(VoiceTurn("fr", (), max_digits=0))
    with pytest.raises(ValueError):
        check_turn(VoiceTurn("fr", (), max_digits=1, timeout_seconds=0))
    assert check_turn(VoiceTurn("fr", (), max_digits=0, hangup=True)).hangup


def test_a_prompt_plays_for_its_length_and_a_bad_file_not_at_all(tmp_path):
    write_tone(tmp_path / "ok.wav", 0.5)
    (tmp_path / "bad.wav").write_bytes(b"RIFF not a wav")

    assert prompt_seconds(tmp_path / "ok.wav") == pytest.approx(0.5)
    assert prompt_seconds(tmp_path / "bad.wav") is None
    assert prompt_seconds(tmp_path / "absent.wav") is None


def test_only_listed_networks_may_call():
    config = SipConfig(
        bind_address="0.0.0.0",
        port=5060,
        rtp_port_min=16000,
        rtp_port_max=16100,
        registrar="",
        user="",
        password="",
        allowed_networks=(ipaddress.ip_network("192.0.2.0/24"), ipaddress.ip_network("2001:db8::/32")),
        max_calls=4,
        max_call_seconds=900,
    )

    assert config.allows("192.0.2.10:5060")
    assert config.allows("[2001:db8::1]:5060")
    assert not config.allows("198.51.100.1:5060")
    assert not config.allows("not an address")


def test_a_turn_may_name_another_finishing_key_or_none():
    star = gathering(3)
    star.turn = VoiceTurn("fr", (), max_digits=3, finish_on_key="*")
    star.key("5", now=1.0)
    assert star.key("*", now=2.0).digits == "5"

    none = gathering(3)
    none.turn = VoiceTurn("fr", (), max_digits=3, finish_on_key="")
    none.key("5", now=1.0)
    assert none.key("#", now=2.0) is None and none.digits == "5#"


def test_events_name_the_turn_they_answer():
    session = gathering(1)
    session.turn = VoiceTurn("fr", (), max_digits=1, number=4)

    assert session.key("1", now=1.0).turn == 4
    assert CallSession().event(CallEvent.START).turn == 0
