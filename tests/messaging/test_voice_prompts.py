"""The prompt folder: one WAV per language and text key, and no key leaves the folder."""

from __future__ import annotations

from messaging.voice import prompt_path


def test_a_prompt_is_found_by_language_and_key(settings, tmp_path):
    settings.VOICE_PROMPT_DIR = str(tmp_path)
    (tmp_path / "fr").mkdir()
    (tmp_path / "fr" / "menu.wav").write_bytes(b"RIFF")

    assert prompt_path("fr", "menu") == tmp_path / "fr" / "menu.wav"
    assert prompt_path("en", "menu") is None  # the deployment recorded no English one


def test_no_key_or_language_climbs_out_of_the_folder(settings, tmp_path):
    settings.VOICE_PROMPT_DIR = str(tmp_path / "prompts")
    (tmp_path / "prompts" / "fr").mkdir(parents=True)
    (tmp_path / "secret.wav").write_bytes(b"RIFF")

    for language, key in [("fr", "../../secret"), ("..", "secret"), ("fr", "/secret"), ("fr", "a/../../secret")]:
        assert prompt_path(language, key) is None
