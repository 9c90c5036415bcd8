from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from focal_points.services import CSV_COLUMNS, DirectoryImportError, members_import_csv


class Command(BaseCommand):
    help = f"Import organisations and members from a CSV file with columns: {', '.join(CSV_COLUMNS)}."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No file at {file}")
        try:
            summary = members_import_csv(file.read_text(encoding="utf-8-sig"))
        except DirectoryImportError as exc:
            raise CommandError("Nothing imported:\n" + "\n".join(exc.errors)) from exc
        self.stdout.write(
            f"{summary.organisations} new organisations, {summary.members_created} new members, "
            f"{summary.members_updated} updated."
        )
