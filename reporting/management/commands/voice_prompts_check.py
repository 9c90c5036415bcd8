"""List the voice prompts a declared language lacks (a folder in VOICE_PROMPT_DIR); exit
with an error when any is missing. Run after recording, and after a gazetteer import:
place names are prompts too."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reporting.voice import prompts


class Command(BaseCommand):
    help = "Check that every declared voice language has every prompt the menu can say."

    def handle(self, *args, **options):
        missing = {language: prompts.missing_prompts(language) for language in prompts.declared_languages()}
        for language, keys in missing.items():
            for key in keys:
                self.stdout.write(f"{language}/{key}.wav: {prompts.every_prompt(language).get(key, '')}")
            self.stdout.write(f"{language}: {len(keys)} prompt(s) missing")
        if any(missing.values()):
            raise CommandError("voice prompts missing: record them (the lines above are the script)")
