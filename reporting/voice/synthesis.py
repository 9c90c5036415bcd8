"""Stand-in prompts synthesised from the texts with Debian's espeak-ng, for the demo and
the tests: WAV mono 8 kHz 16-bit (resampled by sox), nothing downloaded.

A deployment records its own prompts (native speakers): synthesis writes only files it
made itself (listed in ``<language>/.synthesised.json`` with the words they say) and
never overwrites a recording. espeak-ng has no Bambara voice: Bambara is offered by
voice only once its prompts are recorded.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings

from messaging.voice import LANGUAGE_CODE, PROMPT_KEY

# The espeak-ng voice of each language it can stand in for.
ESPEAK_VOICES = {"fr": "fr", "en": "en-gb"}
MANIFEST = ".synthesised.json"
TIMEOUT_SECONDS = 30


class SynthesisUnavailable(RuntimeError):
    pass


def tools() -> tuple[str, str]:
    espeak, sox = shutil.which("espeak-ng"), shutil.which("sox")
    if not (espeak and sox):
        raise SynthesisUnavailable("espeak-ng and sox are needed (apt-get install espeak-ng sox)")
    return espeak, sox


def synthesise_one(text: str, voice: str, target: Path) -> None:
    espeak, sox = tools()
    speech = subprocess.run(
        [espeak, "-v", voice, "-s", "150", "--stdout", "--", text],
        check=True,
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
    ).stdout
    partial = target.with_suffix(".part.wav")
    subprocess.run(
        [sox, "-q", "-t", "wav", "-", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", str(partial)],
        input=speech,
        check=True,
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
    )
    partial.replace(target)  # whole files only: a provider never plays half a prompt


def synthesise(
    language: str, prompts: dict[str, str], root: Path | None = None, workers: int = 4, cache: Path | None = None
) -> int:
    """Write ``prompts`` (key -> words) for ``language`` under the prompt folder; files
    already synthesised from the same words are kept, recordings are never touched.
    ``cache``: a folder of earlier syntheses by voice and words (the tests keep one across
    runs). Returns how many files were written."""
    if language not in ESPEAK_VOICES or not LANGUAGE_CODE.fullmatch(language):
        raise SynthesisUnavailable(f"espeak-ng stands in for {', '.join(ESPEAK_VOICES)} only, not {language!r}")
    folder = Path(root or settings.VOICE_PROMPT_DIR) / language
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path = folder / MANIFEST
    made: dict[str, str] = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    todo = []
    for key, text in prompts.items():
        target = folder / f"{key}.wav"
        if not PROMPT_KEY.fullmatch(key) or ".." in key or not text.strip():
            continue
        if target.is_file() and (key not in made or made[key] == text):
            continue  # a recording, or synthesised from these very words
        todo.append((key, text, target))
    voice = ESPEAK_VOICES[language]

    def make(item: tuple[str, str, Path]) -> None:
        _, text, target = item
        if cache is None:
            synthesise_one(text, voice, target)
            return
        cached = cache / f"{hashlib.sha256(f'{voice}|{text}'.encode()).hexdigest()}.wav"
        if not cached.is_file():
            cache.mkdir(parents=True, exist_ok=True)
            synthesise_one(text, voice, cached)
        shutil.copyfile(cached, target)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(make, todo))
    made.update({key: text for key, text, _ in todo})
    manifest_path.write_text(json.dumps(made, ensure_ascii=False, sort_keys=True, indent=0))
    return len(todo)
