"""The SIP agent as production runs it (``manage.py sip_agent``, settings from the
environment, PJSIP on real UDP sockets) with the test menu at the seam, and SIPp (Debian's
``sip-tester``) as the caller or the trunk."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
SIPP = shutil.which("sipp")
PROMPTS = {"welcome": 0.5, "two_keys": 0.4, "goodbye": 0.3, "sorry": 0.3}


def require_sipp() -> None:
    """SIPp is in CI's Debian packages (.ci/run): there its absence fails, elsewhere it skips."""
    if SIPP is None:
        if os.environ.get("CI"):
            pytest.fail("SIPp (Debian sip-tester) is required in CI")
        pytest.skip("SIPp (Debian sip-tester) is not installed")


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_tone(path: Path, seconds: float, hertz: float = 440.0) -> None:
    """A prompt: mono 8 kHz 16-bit PCM, as a deployment records them."""
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * hertz * n / 8000))) for n in range(int(8000 * seconds))
    )
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(frames)


@dataclass
class Agent:
    port: int
    workdir: Path
    process: subprocess.Popen
    log: Path
    events_file: Path
    callers: list[str] = field(default_factory=list)

    def events(self) -> list[dict]:
        if not self.events_file.exists():
            return []
        return [json.loads(line) for line in self.events_file.read_text().splitlines() if line.strip()]

    def call_of(self, caller: str, *, until: int, wait: float = 8.0) -> list[dict]:
        """The events of the call from ``caller`` (E.164), once there are ``until`` of them."""
        deadline = time.monotonic() + wait
        while True:
            events = self.events()
            starts = [e["call_id"] for e in events if e["event"] == "start" and e["caller"] == caller]
            found = [e for e in events if starts and e["call_id"] == starts[-1]]
            if len(found) >= until or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def sipp(self, scenario: str, caller: str, *, cwd: Path | None = None, wait: bool = True, **keys: str):
        """SIPp placing one call from ``caller`` (national form, as a GSM gateway presents it)."""
        self.callers.append(caller)
        command = [SIPP, "-sf", str(SCENARIOS / scenario), "-key", "caller", caller, "-i", "127.0.0.1"]
        command += ["-p", str(free_udp_port()), "-mi", "127.0.0.1", "-mp", str(free_udp_port())]
        command += ["-m", "1", "-timeout", "40s", "-timeout_error", "-nostdin", f"127.0.0.1:{self.port}"]
        for name, value in keys.items():
            command += ["-key", name, value]
        run_in = cwd or self.workdir
        process = subprocess.Popen(command, cwd=run_in, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if not wait:
            return process
        return finish(process, self)


def finish(process: subprocess.Popen, agent: Agent) -> tuple[int, float]:
    started = time.monotonic()
    output, _ = process.communicate(timeout=60)
    took = time.monotonic() - started
    assert process.returncode == 0, f"SIPp failed:\n{output[-3000:]}\nagent log:\n{agent.log.read_text()[-3000:]}"
    assert agent.process.poll() is None, "the agent stopped"
    return process.returncode, took


def start_agent(workdir: Path, **settings: str) -> Agent:
    (workdir / "var").mkdir(parents=True, exist_ok=True)
    prompts = workdir / "prompts" / "fr"
    prompts.mkdir(parents=True, exist_ok=True)
    for key, seconds in PROMPTS.items():
        write_tone(prompts / f"{key}.wav", seconds)
    port = free_udp_port()
    rtp = free_udp_port()
    rtp = min(rtp, 65000)
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "veille.test_settings",
            "VOICE_PROVIDERS": "sip",
            "VOICE_HANDLER": "tests.messaging.providers.sip.menu.handler",
            "VOICE_PROMPT_DIR": str(workdir / "prompts"),
            "SIP_TEST_EVENTS": str(workdir / "events.jsonl"),
            "SIP_BIND_ADDRESS": "127.0.0.1",
            "SIP_PORT": str(port),
            "SIP_RTP_PORT_MIN": str(rtp),
            "SIP_RTP_PORT_MAX": str(rtp + 40),
            "SIP_MAX_CALLS": "4",
            "SIP_ALLOWED_NETWORKS": "127.0.0.1/32",
            "PYTHONUNBUFFERED": "1",
            "PYTHONFAULTHANDLER": "1",
            "VEILLE_VAR_DIR": str(workdir / "var"),
        }
    )
    env.update(settings)
    log = workdir / "agent.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "sip_agent"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while "sip agent ready" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the agent did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    return Agent(port=port, workdir=workdir, process=process, log=log, events_file=workdir / "events.jsonl")


def stop_agent(agent: Agent) -> int:
    if agent.process.poll() is None:
        agent.process.send_signal(signal.SIGTERM)
        try:
            agent.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            agent.process.kill()
            agent.process.wait()
            raise
    return agent.process.returncode


@pytest.fixture(scope="module")
def agent(tmp_path_factory) -> Iterator[Agent]:
    require_sipp()
    running = start_agent(tmp_path_factory.mktemp("sip-agent"))
    yield running
    assert stop_agent(running) == 0, running.log.read_text()[-3000:]
