from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from places.services import DEFAULT_GAZETTEER, gazetteer_import


class Command(BaseCommand):
    help = "Import or update Mali's regions, cercles and communes from a gazetteer JSON file."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_GAZETTEER))

    def handle(self, *args, path: str, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No gazetteer file at {file}")
        try:
            summary = gazetteer_import(path=file)
        except (ValueError, KeyError) as exc:
            raise CommandError(f"Malformed gazetteer: {exc}") from exc
        self.stdout.write(
            f"{summary.regions} regions, {summary.cercles} cercles, {summary.communes} communes "
            f"({summary.created} new)."
        )
