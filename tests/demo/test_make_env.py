"""scripts/make_env.py keeps an existing .env, but adds the settings that became required
since it was written (a demo set up before the USSD callback had a secret still starts)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def make_env(path: Path) -> str:
    run = subprocess.run(
        [sys.executable, "scripts/make_env.py", str(path)], cwd=PROJECT, check=True, capture_output=True, text=True
    )
    return run.stdout


def test_an_old_env_file_gets_the_callback_secret_and_keeps_the_rest(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("VEILLE_DEMO=1\nSECRET_KEY=kept\n")

    assert "added AFRICASTALKING_CALLBACK_SECRET" in make_env(env_file)
    lines = env_file.read_text().splitlines()
    assert lines[:2] == ["VEILLE_DEMO=1", "SECRET_KEY=kept"]
    (secret_line,) = [line for line in lines if line.startswith("AFRICASTALKING_CALLBACK_SECRET=")]
    assert len(secret_line.partition("=")[2]) >= 32

    assert "keeping it" in make_env(env_file)
    assert env_file.read_text().splitlines() == lines
