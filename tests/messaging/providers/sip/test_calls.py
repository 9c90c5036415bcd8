"""Calls placed by SIPp to the running agent (``manage.py sip_agent``): keys by RFC 2833 and
by SIP INFO, silence, a hang-up mid-menu, a failing menu, garbled messages, two calls at
once. What the test menu was told is read from its events file; SIPp fails the test when
the agent does not answer, does not acknowledge a key or does not hang up when the menu
says so."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from tests.messaging.providers.sip.conftest import finish, start_agent, stop_agent
from tests.messaging.providers.sip.rtp import write_keys_pcap

# The SIP agent against SIPp with a menu of the tests' own: no database, no broker.
pytestmark = pytest.mark.backend_independent


def kinds(events: list[dict]) -> list[tuple[str, str]]:
    return [(event["event"], event["digits"]) for event in events]


def files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()} - {folder / "events.jsonl", folder / "agent.log"}


def test_keys_sent_as_rfc2833_telephone_events_walk_the_menu(agent, tmp_path):
    write_keys_pcap(tmp_path / "dtmf.pcap", [(1.2, "1"), (2.8, "2"), (3.3, "3")])
    before = files_under(agent.workdir)

    agent.sipp("uac_dtmf_rfc2833.xml", "76100001", cwd=tmp_path)

    events = agent.call_of("+22376100001", until=4)
    # The menu ended the call (goodbye, then BYE); HANGUP then tells it the call is over.
    assert kinds(events) == [("start", ""), ("digits", "1"), ("digits", "23"), ("hangup", "")]
    assert {event["provider"] for event in events} == {"sip"}
    # The prompt the deployment lacks was skipped (by key), the call went on.
    assert "prompt en/not.recorded missing or unplayable; skipped" in agent.log.read_text()
    # Each event names the turn it answers (0: none yet).
    assert [event["turn"] for event in events] == [0, 1, 2, 3]
    # The caller's audio (the pcap's A-law frames) was written nowhere (the agent's var dir included).
    assert files_under(agent.workdir) == before


def test_keys_sent_as_sip_info_walk_the_menu(agent):
    agent.sipp("uac_dtmf_info.xml", "76100002")

    assert kinds(agent.call_of("+22376100002", until=4)) == [
        ("start", ""),
        ("digits", "1"),
        ("digits", "23"),
        ("hangup", ""),
    ]


def test_the_caller_number_goes_to_the_menu_at_start_only(agent):
    agent.sipp("uac_dtmf_info.xml", "0022376100003")  # the international form a trunk may present

    events = agent.call_of("+22376100003", until=4)
    assert [event["caller"] for event in events] == ["+22376100003", "", "", ""]
    # The call's id is the agent's own, not the SIP Call-ID (which carries the caller's host).
    assert events[0]["call_id"].startswith("sip-") and "@" not in events[0]["call_id"]


def test_the_prompts_are_played_to_the_caller(agent):
    """The agent's RTP, caught where the caller's SDP points it: the welcome (0.5 s, the
    French file of an English turn) and the goodbye (0.3 s) as A-law tone, silence between."""
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    sink.settimeout(0.2)
    packets: list[bytes] = []

    def listen() -> None:
        while not done.is_set():
            try:
                packets.append(sink.recv(2048))
            except TimeoutError:
                continue

    done = threading.Event()
    listener = threading.Thread(target=listen)
    listener.start()
    try:
        agent.sipp("uac_listen.xml", "76100014", sink_port=str(sink.getsockname()[1]))
    finally:
        done.set()
        listener.join()
        sink.close()

    audio = [packet[12:] for packet in packets if len(packet) > 12 and packet[1] & 0x7F == 8]  # PCMA
    heard = [payload for payload in audio if len(set(payload)) > 2]  # a tone, not A-law silence
    assert kinds(agent.call_of("+22376100014", until=3)) == [("start", ""), ("silence", ""), ("hangup", "")]
    assert 30 <= len(heard) <= 50  # 0.8 s of prompts in 20 ms frames, give or take the edges
    assert len(audio) >= 150  # the stream ran through the 3 s gather too


def test_silence_after_the_prompts_is_told_to_the_menu(agent):
    _, took = agent.sipp("uac_silence.xml", "76100004")

    assert kinds(agent.call_of("+22376100004", until=3)) == [("start", ""), ("silence", ""), ("hangup", "")]
    # The welcome (0.5 s), the 3 s gather, the goodbye (0.3 s): not before.
    assert took >= 3.7


def test_a_caller_hanging_up_mid_menu_is_told_and_nothing_follows(agent):
    agent.sipp("uac_hangup.xml", "76100005")

    events = agent.call_of("+22376100005", until=3)
    assert kinds(events) == [("start", ""), ("digits", "1"), ("hangup", "")]
    time.sleep(3.5)  # past the gather the call was in: no SILENCE for a call that is gone
    assert kinds(agent.call_of("+22376100005", until=4, wait=0)) == kinds(events)


def test_a_failing_menu_gets_its_failure_turn_and_the_call_ends(agent):
    agent.sipp("uac_menu_fault.xml", "76100006")  # SIPp waits for the agent's BYE

    assert kinds(agent.call_of("+22376100006", until=3)) == [("start", ""), ("digits", "9"), ("hangup", "")]
    log = agent.log.read_text()
    assert "the voice menu failed on a digits event" in log


def test_info_bodies_that_are_no_key_reach_the_menu_as_nothing(agent):
    agent.sipp("uac_garbled_info.xml", "76100007")

    assert kinds(agent.call_of("+22376100007", until=3)) == [("start", ""), ("silence", ""), ("hangup", "")]


def test_garbled_datagrams_leave_the_agent_answering(agent):
    garbage = [
        b"\x00\xff\x13garbage",
        b"INVITE sip:veille@127.0.0.1 SIP/2.0\r\nVia: nonsense\r\n\r\n",
        b"INVITE sip:veille@127.0.0.1 SIP/2.0\r\nContent-Length: 999999\r\n\r\nv=0",
        b"SIP/2.0 200 OK\r\nCSeq: abc\r\n\r\n",
        b"\r\n\r\n",
        b"OPTIONS sip:veille@127.0.0.1 SIP/2.0\r\n" + b"X: " + b"A" * 3000 + b"\r\n\r\n",
    ]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for datagram in garbage:
            sender.sendto(datagram, ("127.0.0.1", agent.port))
    time.sleep(0.5)

    agent.sipp("uac_dtmf_info.xml", "76100008")

    assert kinds(agent.call_of("+22376100008", until=4)) == [
        ("start", ""),
        ("digits", "1"),
        ("digits", "23"),
        ("hangup", ""),
    ]


def test_two_calls_at_once_each_keep_their_own_keys(agent, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_keys_pcap(tmp_path / "a" / "dtmf.pcap", [(1.2, "1"), (2.8, "2"), (3.3, "3")])
    write_keys_pcap(tmp_path / "b" / "dtmf.pcap", [(1.3, "1"), (2.9, "4"), (3.4, "5")])

    first = agent.sipp("uac_dtmf_rfc2833.xml", "76100009", cwd=tmp_path / "a", wait=False)
    second = agent.sipp("uac_dtmf_rfc2833.xml", "76100010", cwd=tmp_path / "b", wait=False)
    info = agent.sipp("uac_dtmf_info.xml", "76100011", wait=False)
    for process in (first, second, info):
        finish(process, agent)

    assert kinds(agent.call_of("+22376100009", until=4)) == [
        ("start", ""),
        ("digits", "1"),
        ("digits", "23"),
        ("hangup", ""),
    ]
    assert kinds(agent.call_of("+22376100010", until=4)) == [
        ("start", ""),
        ("digits", "1"),
        ("digits", "45"),
        ("hangup", ""),
    ]
    assert kinds(agent.call_of("+22376100011", until=4)) == [
        ("start", ""),
        ("digits", "1"),
        ("digits", "23"),
        ("hangup", ""),
    ]
    ids = {agent.call_of(f"+223761000{n}", until=1)[0]["call_id"] for n in ("09", "10", "11")}
    assert len(ids) == 3


def test_no_caller_number_or_address_reaches_the_log(agent):
    agent.sipp("uac_dtmf_info.xml", "76100012")
    agent.call_of("+22376100012", until=3)

    log = agent.log.read_text()
    assert "sip agent ready" in log
    for caller in agent.callers:
        assert caller[-8:] not in log
    assert "127.0.0.1" not in log.split("sip agent ready", 1)[1]


def test_stopping_the_agent_ends_its_calls_and_tells_the_menu(tmp_path):
    own = start_agent(tmp_path / "agent")
    call = own.sipp("uac_silence.xml", "76100013", wait=False)  # SIPp waits for the agent's BYE
    assert own.call_of("+22376100013", until=1, wait=20)

    assert stop_agent(own) == 0  # SIGTERM, as systemd or Docker stop it

    output, _ = call.communicate(timeout=30)
    assert call.returncode == 0, output[-3000:]
    assert kinds(own.call_of("+22376100013", until=2)) == [("start", ""), ("hangup", "")]
