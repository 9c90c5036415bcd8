"""The same masking filter on every process: web (gunicorn's own loggers and Django's),
management commands, Celery beat; the worker is run for real in
``tests/integration/test_worker_logging.py``. Each process is a real subprocess started as
a deployment starts it, so what is checked is what would reach its output."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from veille.phones import MASK, number_variants
from veille.privacy import RedactLogRecords

ROOT = Path(__file__).resolve().parents[2]
NUMBER = "+22376123456"

# Logs a number three ways: as an argument, inside a formatted message, and quoted by an
# exception whose traceback is logged.
LOG_A_NUMBER = textwrap.dedent(
    f"""
    import logging
    log = logging.getLogger("veille.check")
    log.warning("reply to %s failed", "{NUMBER}")
    log.error("recipient 76 12 34 56 unreachable")
    try:
        raise ValueError("invalid recipient {NUMBER}")
    except ValueError:
        log.exception("send failed")
    """
)


def _run(code: str, *args: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "veille.test_settings", "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(
        [sys.executable, *args, code] if args else [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


def _assert_masked(output: str) -> None:
    for variant in number_variants(NUMBER):
        assert variant not in output, f"{variant!r} came out in clear:\n{output}"
    assert f"reply to {MASK} failed" in output, output
    assert f"invalid recipient {MASK}" in output, output  # the traceback, masked
    assert "Traceback" in output


def test_the_filter_masks_a_number_quoted_by_a_logged_exception():
    try:
        raise ValueError(f"invalid recipient {NUMBER}")
    except ValueError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "send failed", (), sys.exc_info())
    assert RedactLogRecords().filter(record)
    text = logging.Formatter().format(record)
    assert NUMBER not in text
    assert f"invalid recipient {MASK}" in text


def test_the_filter_masks_a_number_in_a_logged_stack():
    record = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "m", (), None, sinfo=f"at {NUMBER}")
    RedactLogRecords().filter(record)
    assert NUMBER not in logging.Formatter().format(record)


def test_a_management_command_masks_numbers():
    output = _run(LOG_A_NUMBER, "manage.py", "shell", "-c")
    _assert_masked(output)


def test_celery_beat_masks_numbers():
    """What ``celery -A veille beat`` runs to set up its logging, then a number logged."""
    code = (
        "from veille.celery import app\n"
        "from celery.apps.beat import Beat\n"
        "Beat(app=app, loglevel='INFO', redirect_stdouts=False).setup_logging()\n"
        "import logging\n"
        "assert all(h.filters for h in logging.getLogger().handlers), logging.getLogger().handlers\n" + LOG_A_NUMBER
    )
    _assert_masked(_run(code))


def test_gunicorns_own_loggers_mask_numbers():
    """Gunicorn's error log is not Django's: it gets the filter from its config file."""
    code = (
        "import runpy\n"
        "from gunicorn.config import Config\n"
        "from gunicorn.glogging import Logger\n"
        "cfg = Config()\n"
        "for key, value in runpy.run_path('veille/gunicorn.conf.py').items():\n"
        "    if key in cfg.settings:\n"
        "        cfg.set(key, value)\n"
        "log = Logger(cfg)\n"
        f"log.error('bad request line from %s', '{NUMBER}')\n"
        "try:\n"
        f"    raise ValueError('invalid recipient {NUMBER}')\n"
        "except ValueError:\n"
        "    log.exception('reply to %s failed', 'x')\n"
    )
    output = _run(code)
    for variant in number_variants(NUMBER):
        assert variant not in output, output
    assert f"bad request line from {MASK}" in output
    assert f"invalid recipient {MASK}" in output
