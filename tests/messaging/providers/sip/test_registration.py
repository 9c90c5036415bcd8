"""Registration to a trunk or GSM gateway: SIPp as the registrar challenges the agent with a
digest and checks its answer; the password comes from a file (SIP_PASSWORD_FILE). The
allow-list holds only the trunk: a call from anywhere else is refused unanswered."""

from __future__ import annotations

import subprocess
import time

import pytest

from tests.messaging.providers.sip.conftest import SCENARIOS, SIPP, free_udp_port, require_sipp, start_agent, stop_agent

# The SIP agent against SIPp with a menu of the tests' own: no database, no broker.
pytestmark = pytest.mark.backend_independent


def registrar(port: int, user: str, password: str) -> subprocess.Popen:
    command = [SIPP, "-sf", str(SCENARIOS / "uas_registrar.xml"), "-key", "user", user, "-key", "password", password]
    command += ["-i", "127.0.0.1", "-p", str(port), "-m", "1", "-timeout", "30s", "-timeout_error", "-nostdin"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "sip-password"
    path.write_text("gateway-s3cret\n")
    return path


def wait_for(log, text: str, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in log.read_text():
            return True
        time.sleep(0.1)
    return False


def test_the_agent_registers_with_its_digest_and_refuses_calls_from_elsewhere(tmp_path, password_file):
    require_sipp()
    port = free_udp_port()
    trunk = registrar(port, "veille-gw", "gateway-s3cret")
    agent = start_agent(
        tmp_path / "agent",
        SIP_REGISTRAR=f"127.0.0.1:{port}",
        SIP_USER="veille-gw",
        SIP_PASSWORD_FILE=str(password_file),
        SIP_ALLOWED_NETWORKS="192.0.2.0/24",  # the trunk's network; the test's caller is not in it
    )
    try:
        output, _ = trunk.communicate(timeout=60)
        assert trunk.returncode == 0, output[-3000:]  # the digest was checked (verifyauth) and accepted
        assert wait_for(agent.log, "registration answered 200")

        agent.sipp("uac_refused.xml", "76100020")  # SIPp expects the 403

        assert agent.events() == []  # the menu never heard of it
        assert "refused a call from an address outside SIP_ALLOWED_NETWORKS" in agent.log.read_text()
    finally:
        trunk.kill()
        assert stop_agent(agent) == 0


def test_a_wrong_password_is_refused_by_the_trunk_and_the_agent_keeps_running(tmp_path, password_file):
    require_sipp()
    port = free_udp_port()
    trunk = registrar(port, "veille-gw", "another-password")
    agent = start_agent(
        tmp_path / "agent",
        SIP_REGISTRAR=f"127.0.0.1:{port}",
        SIP_USER="veille-gw",
        SIP_PASSWORD_FILE=str(password_file),
    )
    try:
        trunk.communicate(timeout=60)
        assert trunk.returncode != 0  # the registrar saw a digest it could not verify
        assert wait_for(agent.log, "registration answered 403")
        assert agent.process.poll() is None  # PJSIP retries later (every 60 s); the agent stays up
        assert "gateway-s3cret" not in agent.log.read_text()
    finally:
        trunk.kill()
        assert stop_agent(agent) == 0
