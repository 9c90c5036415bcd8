"""``manage.py backup``: one consistent archive of the database, then the retention purge."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from veille.backup import BackupError, backup_create, backups_purge


class Command(BaseCommand):
    help = (
        "Write a consistent archive of the database (with a manifest) into BACKUP_DIR, then delete archives "
        "older than REPORT_RETENTION_DAYS. The keys are never in it: keep them apart."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", dest="directory", type=Path, default=None, help="Folder of the archives (default BACKUP_DIR)."
        )
        parser.add_argument("--purge-only", action="store_true", help="Only delete the archives past retention.")

    def handle(self, *args, directory: Path | None, purge_only: bool, **options):
        directory = directory or settings.BACKUP_DIR
        if not purge_only:
            try:
                path, manifest = backup_create(directory=directory)
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
            rows = sum(manifest["counts"].values())
            self.stdout.write(f"backup written: {path} ({manifest['engine']}, {rows} rows)")
        removed = backups_purge(directory=directory, older_than_days=settings.REPORT_RETENTION_DAYS)
        for path in removed:
            self.stdout.write(f"purged (older than {settings.REPORT_RETENTION_DAYS} days): {path.name}")
