"""manage.py backup and restore: an archive taken from a live database comes back whole in
an empty one (SQLite in the first run, PostgreSQL in the services run) and its reports,
events, photos and trail decrypt with the keys; nothing is restored over data, nothing is
restored without its keys, and archives go when reports would."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from PIL import Image

from veille.backup import PREFIX, SUFFIX, read_manifest

PROJECT = Path(__file__).resolve().parents[2]
SECRET_TEXT = "Des hommes armes ont pris le betail pres du puits de Boni"
SUMMARY = "Vol de betail a main armee, puits de Boni"


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def world(transactional_db, deployment) -> dict:
    """A report with text, a photo, triage events by a relay (her trail), and an alert."""
    from alerts.services import alert_forward
    from focal_points.models import Category, Member
    from places.models import Commune
    from reporting import triage
    from reporting.photos import clean_photo
    from reporting.services import PlaceChoice, report_submit

    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    photo = clean_photo(jpeg())
    report = report_submit(
        channel="web", category=Category.ARMED_ATTACK, description=SECRET_TEXT, place=place, photos=[photo]
    ).report
    aminata = Member.objects.get(name="Aminata Guindo")
    triage.report_claim(member=aminata, report_id=report.pk)
    triage.report_classify(member=aminata, report_id=report.pk, severity="high")
    triage.report_summarise(member=aminata, report_id=report.pk, summary=SUMMARY)
    coulibaly = Member.objects.get(name="Adjudant Coulibaly")
    alert_forward(member=aminata, report_id=report.pk, focal_point_ids=[coulibaly.pk])
    return {"report": report, "relay": aminata, "photo_sha": hashlib.sha256(report.photos.get().image).hexdigest()}


READ_BACK = """
import hashlib, json
from reporting.models import Report, ReportEvent
from alerts.models import Alert
from focal_points.models import Member
out = []
for r in Report.objects.order_by("pk"):
    out.append({
        "reference": r.reference,
        "description": r.description,
        "summary": r.summary,
        "photos": [hashlib.sha256(p.image).hexdigest() for p in r.photos.all()],
        "events": [[e.kind, e.member.name if e.member else None] for e in r.events.order_by("at", "pk")],
        "alerts": [a.summary for a in Alert.objects.filter(report=r)],
    })
trail = {m.name: ReportEvent.objects.filter(member=m).count() for m in Member.objects.all()}
print("RESULT " + json.dumps({"reports": out, "trail": trail}))
"""


def read_back(database_url: str) -> dict:
    """Read the restored database from a fresh process, as the restored server would."""
    env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="veille.test_settings")
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", READ_BACK],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


@pytest.fixture
def empty_target(tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the same engine as the suite's."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    name = f"{db['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    params = {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    credentials = db.get("USER") or ""
    if db.get("PASSWORD"):
        credentials += ":" + db["PASSWORD"]
    try:
        yield f"postgres://{credentials}@{params['host']}:{params['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def only_archive(directory: Path) -> Path:
    archives = sorted(directory.glob(f"{PREFIX}*{SUFFIX}"))
    assert len(archives) == 1, archives
    return archives[0]


def test_a_backup_restores_into_an_empty_database_and_decrypts_with_the_keys(world, tmp_path, empty_target):
    call_command("backup", "--dir", str(tmp_path / "backups"))
    archive = only_archive(tmp_path / "backups")

    call_command("restore", str(archive), "--database-url", empty_target)
    restored = read_back(empty_target)

    report = world["report"]
    [back] = [r for r in restored["reports"] if r["reference"] == report.reference]
    assert back["description"] == SECRET_TEXT
    assert back["summary"] == SUMMARY
    assert back["photos"] == [world["photo_sha"]]
    assert back["alerts"] == [SUMMARY]
    kinds = [kind for kind, _ in back["events"]]
    assert {"received", "photo_added", "claimed"} <= set(kinds), kinds
    # The relay's trail (what she read and changed) is whole.
    assert restored["trail"]["Aminata Guindo"] == report.events.filter(member=world["relay"]).count() > 0


def test_the_manifest_names_versions_migrations_counts_and_key_ids_never_keys(world, tmp_path):
    call_command("backup", "--dir", str(tmp_path))
    archive = only_archive(tmp_path)
    manifest = read_manifest(archive)

    assert manifest["engine"] in {"sqlite", "postgresql"}
    assert manifest["django"].startswith("5.2")
    assert manifest["veille"] == "0.1.0"
    assert "0001_initial" in manifest["migrations"]["reporting"]
    assert manifest["counts"]["reporting_report"] == 1
    assert manifest["counts"]["reporting_reportphoto"] == 1
    assert set(manifest["data_key_ids_in_use"]) == {"t2"}
    assert manifest["data_key_ids_configured"] == ["t2", "t1"]
    raw = b""
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            raw += tar.extractfile(member).read()
    for _kid, key in [part.split(":", 1) for part in settings.VEILLE_DATA_KEYS.split(",")]:
        assert key.encode() not in raw
    # The report's text is in the archive only as ciphertext.
    assert SECRET_TEXT.encode() not in raw
    assert oct(archive.stat().st_mode & 0o777) == "0o600"


def test_restore_refuses_a_database_that_holds_data(world, tmp_path, empty_target):
    call_command("backup", "--dir", str(tmp_path))
    archive = only_archive(tmp_path)
    call_command("restore", str(archive), "--database-url", empty_target)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), "--database-url", empty_target)


def test_restore_refuses_an_archive_whose_keys_are_not_configured(world, tmp_path, empty_target, settings):
    call_command("backup", "--dir", str(tmp_path))
    archive = only_archive(tmp_path)
    settings.VEILLE_DATA_KEYS = "other:" + "D" * 43
    with pytest.raises(CommandError, match=r"t2.*not in VEILLE_DATA_KEYS"):
        call_command("restore", str(archive), "--database-url", empty_target)


def test_restore_refuses_a_damaged_archive(world, tmp_path, empty_target):
    call_command("backup", "--dir", str(tmp_path))
    archive = only_archive(tmp_path)
    manifest = read_manifest(archive)
    damaged = tmp_path / "damaged" / archive.name
    damaged.parent.mkdir()
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == manifest["database_file"]:
                data = data[:-10] + b"x" * 10
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore", str(damaged), "--database-url", empty_target)


def test_archives_are_kept_no_longer_than_reports(db, tmp_path, settings):
    settings.REPORT_RETENTION_DAYS = 30
    now = datetime.now(UTC)
    old = tmp_path / f"{PREFIX}{(now - timedelta(days=31)):%Y%m%dT%H%M%SZ}{SUFFIX}"
    recent = tmp_path / f"{PREFIX}{(now - timedelta(days=29)):%Y%m%dT%H%M%SZ}{SUFFIX}"
    other = tmp_path / "notes.txt"
    for path in (old, recent, other):
        path.write_bytes(b"x")

    call_command("backup", "--dir", str(tmp_path))

    assert not old.exists()
    assert recent.exists() and other.exists()
    assert len(list(tmp_path.glob(f"{PREFIX}*{SUFFIX}"))) == 2  # the recent one and today's


def test_purge_only_removes_old_archives_without_writing_one(db, tmp_path, settings):
    settings.REPORT_RETENTION_DAYS = 1
    old = tmp_path / f"{PREFIX}20200101T000000Z{SUFFIX}"
    old.write_bytes(b"x")
    call_command("backup", "--dir", str(tmp_path), "--purge-only")
    assert list(tmp_path.iterdir()) == []
