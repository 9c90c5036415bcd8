"""Synthesise stand-in voice prompts (French, English) with espeak-ng, for the demo.

A deployment records its own prompts by native speakers; these are placeholders. Run
``manage.py voice_prompts_synthesise`` after the gazetteer import (place names are
prompts too); ``--no-places`` for the menu's texts only.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reporting.voice import prompts
from reporting.voice.synthesis import ESPEAK_VOICES, SynthesisUnavailable, synthesise


class Command(BaseCommand):
    help = "Synthesise stand-in French and English voice prompts with espeak-ng (a deployment records its own)."

    def add_arguments(self, parser):
        parser.add_argument("--language", action="append", dest="languages", help="fr, en (default: both)")
        parser.add_argument("--no-places", action="store_true", help="skip the place names")

    def handle(self, *args, languages=None, no_places=False, **options):
        languages = languages or [language for language in prompts.all_languages() if language in ESPEAK_VOICES]
        for language in languages:
            try:
                written = synthesise(language, prompts.every_prompt(language, places=not no_places))
            except SynthesisUnavailable as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{language}: {written} prompt(s) synthesised (stand-ins: record real ones).")
