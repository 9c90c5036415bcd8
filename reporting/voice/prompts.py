"""The voice prompts a deployment needs: one audio file per language and prompt key.

A deployment records its own (native speakers; ``VOICE_PROMPT_DIR/<language>/<key>.wav``,
WAV mono 8 kHz 16-bit). ``every_prompt`` lists every prompt the menu can say, place
names included, with its words: the script a speaker reads from, and what
``voice_prompts_synthesise`` feeds to espeak-ng for the demo and the tests (French and
English only: synthesis is a stand-in, never what residents should hear in production).

A language is offered by voice once its folder exists (``declared_languages``);
``missing_prompts`` names what a declared language still lacks, and the test suite fails
on any (tests/reporting/test_voice_prompts.py walks the menu to check this list is whole).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from messaging.voice import prompt_path
from places.models import Cercle, Commune, Region
from reporting.codes import ALPHABET
from reporting.texts import STATUS_WORDS
from reporting.ussd import engine as menu
from reporting.ussd import texts
from reporting.voice import render

# Text keys said only on the spoken side (render.py) or at ends of calls.
SPOKEN_ONLY = (
    "done",
    "repeat",
    "keep_code",
    "report",
    "question",
    "waiting_question",
    "status_add",
    "consent",
    "silence",
    "goodbye",
    "ask_code",
    "invalid",
    "unknown_place",
    "displaced_short",
    "confirm",
    "error",
    "code_locked",
    "cancelled",
    "consent_thanks",
    "added_thanks",
    "skip",
    "more",
    "back",
    "menu",
    "unknown_code",
    "category",
    "region",
    "cercle",
    "commune",
)


def all_languages() -> list[str]:
    """The menu's languages, from its one list of choices."""
    return list(dict.fromkeys(texts.language_choices().values()))


def declared_languages() -> list[str]:
    """The languages this deployment has prompts for (a folder in VOICE_PROMPT_DIR); all
    of them when it has none (a provider then says what it can with its own synthesis)."""
    root = Path(settings.VOICE_PROMPT_DIR)
    declared = [language for language in all_languages() if (root / language).is_dir()]
    return declared or all_languages()


def every_prompt(language: str, *, places: bool = True) -> dict[str, str]:
    """Every prompt key the menu can say in ``language``, with its words."""
    prompts: dict[str, str] = {}

    def add(*items) -> None:
        for prompt in items:
            if prompt.key and (not prompt.language or prompt.language == language):
                prompts[prompt.key] = prompt.text

    add(*render.language_choice(all_languages()))
    add(*(render.press(digit, language) for digit in "0123456789"))
    add(*(render.character(ch) for ch in ALPHABET))
    for title, options in menu.FIXED_MENUS.values():
        if title != menu.Text("welcome"):
            add(render.text_prompt(title.key, language))
        for _, part, nav in options:
            add(
                render.text_prompt(nav or part.key, language) if isinstance(part, menu.Text) else _label(part, language)
            )
    for choice in (*menu.CONFIRM_CHOICES, *menu.YES_NO):
        add(render.text_prompt(choice.nav or choice.label.key, language))
    add(*(render.text_prompt(key, language) for key in SPOKEN_ONLY))
    add(render.text_prompt("displaced", language))
    for table, labels in menu.LABEL_TABLES.items():
        add(*(render.label_prompt(table, value, language) for value in labels))
    add(*(render.status_prompt(status, language) for status in STATUS_WORDS))
    if places:
        for level, model in (("region", Region), ("cercle", Cercle), ("commune", Commune)):
            add(
                *(
                    render.place_prompt(menu.Place(level, pk, name))
                    for pk, name in model.objects.values_list("pk", "name")
                )
            )
    return prompts


def _label(part: menu.Part, language: str):
    assert isinstance(part, menu.Label), part
    return render.label_prompt(part.table, part.value, language)


def missing_prompts(language: str) -> list[str]:
    """The keys ``language`` has no audio for."""
    return sorted(key for key in every_prompt(language) if prompt_path(language, key) is None)


def language_files(language: str) -> Path:
    return Path(settings.VOICE_PROMPT_DIR) / language


def prompt_text(language: str, key: str) -> str:
    """The words of one prompt (the simulator shows them beside the audio)."""
    level, _, pk = key.removeprefix("place.").partition(".")
    if key.startswith("place.") and pk.isdigit():
        model = {"region": Region, "cercle": Cercle, "commune": Commune}.get(level)
        place = model.objects.filter(pk=int(pk)).first() if model else None
        return place.name if place else ""
    return every_prompt(language, places=False).get(key, "")
