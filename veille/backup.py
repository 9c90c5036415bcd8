"""Consistent backups, restores into an empty database, and their retention.

An archive (``veille-backup-<UTC time>.tar.gz``) holds the database as one consistent
copy and a ``manifest.json``: versions, applied migrations, the number of rows of every
table, the ids of the keys that sealed the data (never a key), and the copy's SHA-256.

- SQLite: the online backup API copies the live file page by page under a read lock,
  so a copy taken while the worker writes is still one consistent state.
- PostgreSQL: ``pg_dump`` (custom format) inside an exported snapshot; the manifest's row
  counts are read in the same snapshot, so they describe exactly what was dumped.

Restore refuses a database that holds any table, refuses an archive whose data keys are
not all configured (what it restored would be unreadable), and checks every table's row
count against the manifest afterwards.

Retention: the archives hold reports, so they are kept no longer than the reports
themselves (``REPORT_RETENTION_DAYS``): ``backups_purge`` removes older ones, and
``manage.py backup`` runs it after each new archive.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dj_database_url
import django
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from veille import crypto

FORMAT = 1
PREFIX = "veille-backup-"
SUFFIX = ".tar.gz"
NAME_TIME = "%Y%m%dT%H%M%SZ"
ARCHIVE_NAME = re.compile(rf"^{PREFIX}(\d{{8}}T\d{{6}}Z){re.escape(SUFFIX)}$")
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"


class BackupError(Exception):
    """A backup or restore that must not go on; the message says why."""


@dataclass(frozen=True)
class Target:
    """A database to back up or restore into, from a ``DATABASE_URL``-style setting."""

    engine: str  # "sqlite" or "postgresql"
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, db: dict[str, Any]) -> Target:
        engine = "sqlite" if db["ENGINE"].endswith("sqlite3") else "postgresql"
        if engine == "postgresql" and not db["ENGINE"].endswith("postgresql"):
            raise BackupError(f"unsupported database engine {db['ENGINE']}")
        return cls(
            engine=engine,
            name=str(db["NAME"]),
            user=db.get("USER") or "",
            password=db.get("PASSWORD") or "",
            host=db.get("HOST") or "",
            port=str(db.get("PORT") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> Target:
        db = dj_database_url.parse(url)
        # A drill database on the same server: the configured password (often a secret
        # file, DATABASE_PASSWORD_FILE) when the URL carries none.
        db["PASSWORD"] = db.get("PASSWORD") or settings.DATABASES["default"].get("PASSWORD") or ""
        return cls.from_settings(db)

    def libpq_url(self) -> str:
        """Without the password: it goes in PGPASSWORD, never on a command line."""
        user = quote(self.user, safe="") + "@" if self.user else ""
        host = self.host or "127.0.0.1"
        port = f":{self.port}" if self.port else ""
        return f"postgresql://{user}{host}{port}/{quote(self.name, safe='')}"

    def pg_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def _tables() -> list[str]:
    names = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    names.add(MigrationRecorder.Migration._meta.db_table)
    return sorted(names)


def _count_rows(cursor: Any, tables: list[str], quote_name: Any) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote_name(table)}")  # noqa: S608 (table names from the models)
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _project_version() -> str:
    import tomllib

    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, ValueError):
        return "unknown"


def _migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _data_key_ids_in_use() -> dict[str, int]:
    from veille.management.commands.rotate_data_key import key_ids_in_use

    return key_ids_in_use()


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def _sqlite_copy(source: Path, work: Path) -> Iterator[tuple[Path, dict[str, int], str]]:
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    copy = work / SQLITE_MEMBER
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dest = sqlite3.connect(copy)
    try:
        # Online backup API: a consistent copy while other processes keep writing.
        src.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no WAL beside it
        counts = _count_rows(dest.cursor(), _tables(), _sqlite_quote)
        version = sqlite3.sqlite_version
    finally:
        dest.close()
        src.close()
    yield copy, counts, f"SQLite {version}"


@contextmanager
def _pg_dump(target: Target, work: Path) -> Iterator[tuple[Path, dict[str, int], str]]:
    import psycopg
    from psycopg import sql

    dump = work / PG_MEMBER
    with psycopg.connect(
        host=target.host or "127.0.0.1",
        port=target.port or None,
        user=target.user or None,
        password=target.password or None,
        dbname=target.name,
    ) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        with conn.cursor() as cursor:
            counts = _count_rows(cursor, _tables(), lambda name: sql.Identifier(name).as_string(conn))
        server = conn.execute("SHOW server_version").fetchone()[0]
        result = subprocess.run(
            [
                shutil.which("pg_dump") or "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                f"--dbname={target.libpq_url()}",
            ],
            env=target.pg_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        conn.execute("COMMIT")
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[-500:]}")
    yield dump, counts, f"PostgreSQL {server}"


def archive_time(path: Path) -> datetime | None:
    match = ARCHIVE_NAME.match(path.name)
    if not match:
        return None
    return datetime.strptime(match.group(1), NAME_TIME).replace(tzinfo=UTC)


def backup_create(*, directory: Path, now: datetime | None = None) -> tuple[Path, dict[str, Any]]:
    """Write one archive into ``directory``; returns its path and its manifest."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    directory.mkdir(parents=True, exist_ok=True)
    target = Target.from_settings(settings.DATABASES["default"])
    data_ring, pseudonym_ring = crypto.data_keyring(), crypto.pseudonym_keyring()
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as tmp:
        work = Path(tmp)
        copier = _sqlite_copy(Path(target.name), work) if target.engine == "sqlite" else _pg_dump(target, work)
        with copier as (dump, counts, server):
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "engine": target.engine,
                "server_version": server,
                "veille": _project_version(),
                "django": django.get_version(),
                "python": platform.python_version(),
                "migrations": _migrations(),
                "counts": counts,
                # Ids only: the keys themselves never go into a backup.
                "data_key_ids_in_use": _data_key_ids_in_use(),
                "data_key_ids_configured": [kid for kid, _ in data_ring.keys],
                "pseudonym_key_ids_configured": [kid for kid, _ in pseudonym_ring.keys],
                "database_file": dump.name,
                "database_sha256": _sha256(dump),
            }
            final = directory / f"{PREFIX}{now.strftime(NAME_TIME)}{SUFFIX}"
            partial = work / (final.name + ".partial")
            with tarfile.open(partial, "w:gz") as tar:
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(data)
                info.mtime = int(now.timestamp())
                tar.addfile(info, io.BytesIO(data))
                tar.add(dump, arcname=dump.name)
            with partial.open("rb") as handle:
                os.fsync(handle.fileno())
            # Only a whole archive ever carries the final name.
            os.replace(partial, final)
            final.chmod(0o600)
    return final, manifest


def read_manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile("manifest.json")
        if member is None:
            raise BackupError("the archive has no manifest.json")
        manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown archive format {manifest.get('format')!r}")
    return manifest


def _sqlite_is_empty(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type='table'").fetchone()[0] == 0


def _pg_connect(target: Target):
    import psycopg

    return psycopg.connect(
        host=target.host or "127.0.0.1",
        port=target.port or None,
        user=target.user or None,
        password=target.password or None,
        dbname=target.name,
        autocommit=True,
    )


def _pg_is_empty(target: Target) -> bool:
    with _pg_connect(target) as conn:
        query = (
            "SELECT COUNT(*) FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        return conn.execute(query).fetchone()[0] == 0


def backup_restore(*, archive: Path, database_url: str | None = None) -> dict[str, Any]:
    """Restore ``archive`` into an empty database (the configured one by default)."""
    manifest = read_manifest(archive)
    target = Target.from_url(database_url) if database_url else Target.from_settings(settings.DATABASES["default"])
    if manifest["engine"] != target.engine:
        raise BackupError(f"the archive holds a {manifest['engine']} database; the target is {target.engine}")
    missing = set(manifest["data_key_ids_in_use"]) - {kid for kid, _ in crypto.data_keyring().keys}
    if missing:
        raise BackupError(
            f"data key id(s) {', '.join(sorted(missing))} sealed this backup but are not in VEILLE_DATA_KEYS: "
            "what it restored would be unreadable. Configure the keys kept apart from the backups first."
        )
    empty = _sqlite_is_empty(Path(target.name)) if target.engine == "sqlite" else _pg_is_empty(target)
    if not empty:
        raise BackupError("the target database is not empty: restore only into a new, empty database")
    with tempfile.TemporaryDirectory(prefix="veille-restore-") as tmp:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extract(manifest["database_file"], path=tmp, filter="data")
        dump = Path(tmp) / manifest["database_file"]
        if _sha256(dump) != manifest["database_sha256"]:
            raise BackupError("the database copy does not match the manifest's SHA-256: the archive is damaged")
        if target.engine == "sqlite":
            counts = _restore_sqlite(dump, Path(target.name))
        else:
            counts = _restore_pg(dump, target)
    wrong = {table: (n, counts.get(table)) for table, n in manifest["counts"].items() if counts.get(table) != n}
    if wrong:
        raise BackupError(f"row counts differ from the manifest after restore: {wrong}")
    return manifest


def _restore_sqlite(dump: Path, path: Path) -> dict[str, int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(dump)
    dest = sqlite3.connect(path)
    try:
        src.backup(dest)
        dest.execute("PRAGMA journal_mode=WAL")
        return _count_rows(dest.cursor(), _tables(), _sqlite_quote)
    finally:
        dest.close()
        src.close()


def _restore_pg(dump: Path, target: Target) -> dict[str, int]:
    from psycopg import sql

    result = subprocess.run(
        [
            shutil.which("pg_restore") or "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={target.libpq_url()}",
            str(dump),
        ],
        env=target.pg_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[-500:]}")
    with _pg_connect(target) as conn, conn.cursor() as cursor:
        return _count_rows(cursor, _tables(), lambda name: sql.Identifier(name).as_string(conn))


def backups_purge(*, directory: Path, older_than_days: int, now: datetime | None = None) -> list[Path]:
    """Delete archives older than ``older_than_days`` (by the time in their name)."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=older_than_days)
    removed = []
    if not directory.is_dir():
        return removed
    for path in sorted(directory.iterdir()):
        made = archive_time(path)
        if made is not None and made < cutoff:
            path.unlink()
            removed.append(path)
    return removed
