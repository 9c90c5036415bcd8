"""What ``make run`` serves, served for real: the demo's own set-up and server commands in
fresh processes, on a fresh var folder, then every stylesheet and script that the public
pages and the simulator link to is fetched over HTTP. DEBUG is off in the demo as in
production, so nothing serves them unless they were collected for WhiteNoise."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
ASSET = re.compile(r"""<(?:link[^>]+href|script[^>]+src)=["'](/static/[^"']+)["']""")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), b""


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    var = tmp_path_factory.mktemp("demo-var")
    env_file = var / ".env"
    subprocess.run([sys.executable, "scripts/make_env.py", str(env_file)], cwd=PROJECT, check=True)
    with env_file.open("a") as handle:
        handle.write(f"VEILLE_VAR_DIR={var}\n")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            (
                "VEILLE_",
                "SECRET_KEY",
                "TWILIO",
                "SMS_",
                "DATABASE_URL",
                "REDIS_URL",
                "CELERY_",
                "AFRICASTALKING",
                "USSD_",
            )
        )
        and k != "DJANGO_SETTINGS_MODULE"
    }
    env["VEILLE_ENV_FILE"] = str(env_file)
    setup = subprocess.run(
        [sys.executable, "manage.py", "demo_setup", "--voice-texts-only"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert setup.returncode == 0, setup.stderr[-2000:]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "demo_serve", "--addr", f"127.0.0.1:{port}"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if fetch(base + "/report/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise AssertionError("the demo server did not start")
            time.sleep(0.5)
        yield base, var
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


@pytest.mark.parametrize("page", ["/report/", "/en/report/", "/simulator/", "/staff/login/"])
def test_every_stylesheet_and_script_of_the_demo_pages_is_served(demo, page):
    base, _ = demo
    status, _, html = fetch(base + page)
    assert status == 200
    assets = ASSET.findall(html.decode())
    assert any(asset.endswith(".css") for asset in assets), f"{page} links no stylesheet"

    for asset in assets:
        status, content_type, body = fetch(base + asset)
        assert status == 200, f"{asset} linked by {page}: HTTP {status}"
        assert body, f"{asset} is empty"
        expected = "text/css" if asset.endswith(".css") else "javascript"
        assert expected in content_type, f"{asset}: {content_type}"


def test_the_report_form_loads_its_place_picker(demo):
    base, _ = demo
    _, _, html = fetch(base + "/report/")

    assert "/static/js/place-picker.js" in html.decode()
    assert fetch(base + "/static/js/place-picker.js")[0] == 200


def test_the_embedded_broker_keeps_its_tables_in_the_var_folder(demo):
    base, var = demo
    # A report makes the web process publish and the worker consume.
    fetch(base + "/report/")
    deadline = time.monotonic() + 30
    control = var / "broker" / "control"
    while not list(control.glob("*.exchange")) and time.monotonic() < deadline:
        time.sleep(0.5)

    assert list(control.glob("*.exchange")), "kombu wrote no exchange table under VEILLE_VAR_DIR"
    assert not (PROJECT / "control").exists(), "kombu wrote its exchange tables into the checkout"


def test_the_simulator_walks_ussd_through_the_authenticated_callback(demo):
    """make_env wrote the callback secret; the empty allow-list means loopback in the demo;
    the simulator reaches the real callback, which refuses anyone without the secret."""
    base, var = demo
    form = urllib.parse.urlencode({"action": "dial", "number": "+22376000001"}).encode()
    with urllib.request.urlopen(urllib.request.Request(base + "/simulator/", data=form), timeout=20) as answer:
        page = answer.read().decode()

    assert "Veille - signalement anonyme" in page
    assert "AFRICASTALKING_CALLBACK_SECRET=" in (var / ".env").read_text()
    forged = urllib.parse.urlencode({"sessionId": "x", "phoneNumber": "+22376000001", "text": ""}).encode()
    request = urllib.request.Request(base + "/channels/ussd/africastalking/guessed-secret/", data=forged)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=20)
    assert refused.value.code == 403 and refused.value.read() == b""
