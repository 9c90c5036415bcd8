"""``manage.py restore <archive>``: into an empty database only, checked against the manifest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from veille.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty database (the configured one, or --database-url). "
        "VEILLE_DATA_KEYS must hold the keys that sealed it."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--database-url", default=None, help="Restore there instead of DATABASE_URL (a drill).")

    def handle(self, *args, archive: Path, database_url: str | None, **options):
        if not archive.is_file():
            raise CommandError(f"no archive at {archive}")
        try:
            manifest = backup_restore(archive=archive, database_url=database_url)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"restored {archive.name}: {rows} rows in {len(manifest['counts'])} tables, counts checked")
