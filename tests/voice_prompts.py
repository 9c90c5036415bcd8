"""Synthesised voice prompts for the tests: the menu's texts in French and English, made
once per test session (and kept across sessions in the temporary folder, by voice and
words, so a second run synthesises nothing). Place names are synthesised by the tests
that need them (``synthesise_places``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

CACHE = Path(tempfile.gettempdir()) / "veille-test-voice-prompts"


@pytest.fixture(scope="session")
def voice_prompt_folder(tmp_path_factory) -> Path:
    from reporting.voice import prompts
    from reporting.voice.synthesis import ESPEAK_VOICES, synthesise

    root = tmp_path_factory.mktemp("voice-prompts")
    for language in prompts.all_languages():
        if language in ESPEAK_VOICES:
            synthesise(language, prompts.every_prompt(language, places=False), root=root, cache=CACHE)
    return root


@pytest.fixture
def voice_prompts(voice_prompt_folder, settings) -> Path:
    """VOICE_PROMPT_DIR set to the session's synthesised prompts (French and English)."""
    settings.VOICE_PROMPT_DIR = str(voice_prompt_folder)
    return voice_prompt_folder


def synthesise_places(root: Path, languages=("fr", "en")) -> None:
    from reporting.voice import prompts
    from reporting.voice.synthesis import synthesise

    for language in languages:
        place_keys = {k: v for k, v in prompts.every_prompt(language).items() if k.startswith("place.")}
        synthesise(language, place_keys, root=root, cache=CACHE)
