"""Faults in the middle of a spike lose nothing: every SMS the webhook accepted is stored
once and processed once (accepted = stored = processed = reports, no duplicate).

Each test builds a private world (benchmarks/faults.py): its own PostgreSQL cluster and
redis-server on free ports, so they can really be stopped, and gunicorn, a worker and
beat as child processes. The shared PostgreSQL and Redis of the machine are not touched.
Run in the services run of ``make test`` (root in CI: PostgreSQL runs as ``postgres``).
"""

from __future__ import annotations

import errno
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks import faults

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

COUNT = 60
SECONDS = 6.0


def assert_nothing_lost(found: dict, w: faults.World) -> None:
    assert found["non_2xx"] == 0 and not found["errors"], (found, w.logs())
    assert found["accepted"] == COUNT, found
    assert found["stored"] == found["accepted"] == found["processed"], (found, w.logs())
    assert found["stored_rows"] == COUNT  # no duplicate row
    assert found["reports"] == COUNT, found  # one report per SMS: none made twice
    assert found["spool_left"] == 0, found


def test_postgresql_restarted_mid_spike_loses_nothing(tmp_path):
    with faults.world(tmp_path) as w:

        def restart() -> None:
            w.postgres.stop()
            time.sleep(2)  # a third of the spike arrives while the database is gone
            w.postgres.start()

        sent = faults.spike(w, count=COUNT, seconds=SECONDS, fault=restart)
        found = faults.reconcile(w, sent)
        assert_nothing_lost(found, w)
        assert found["spooled"] > 0, found  # the fault did hit the webhook


def test_redis_restarted_mid_spike_loses_nothing(tmp_path):
    with faults.world(tmp_path) as w:

        def restart() -> None:
            w.redis.stop()  # killed: its queue is gone with it (no persistence here)
            time.sleep(2)
            w.redis.start()

        sent = faults.spike(w, count=COUNT, seconds=SECONDS, fault=restart)
        found = faults.reconcile(w, sent)
        assert_nothing_lost(found, w)
        assert found["publish_failed"] > 0, found  # the fault did hit the webhook


@contextmanager
def small_disk(folder: Path, size: str = "2m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder``: a disk that really fills (ENOSPC)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        reason = f"cannot mount a tmpfs (root needed): {mounted.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Write until the disk refuses: no byte left for a broker message."""
    filler = folder / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    return filler


def test_embedded_broker_folder_on_a_full_disk_loses_nothing(tmp_path):
    """The embedded default (SQLite, kombu's filesystem broker): the broker's folder fills
    up mid-spike; the webhooks still store every SMS (the database is on another disk),
    publishing fails fast, and once space is back the sweep processes everything."""
    with small_disk(tmp_path / "var" / "broker") as broker:
        with faults.world(tmp_path, embedded=True) as w:
            filler: list[Path] = []

            def disk_full() -> None:
                filler.append(fill(broker))
                time.sleep(2)
                filler[0].unlink()

            sent = faults.spike(w, count=COUNT, seconds=SECONDS, fault=disk_full)
            found = faults.reconcile(w, sent)
            assert_nothing_lost(found, w)
            assert found["publish_failed"] > 0, found  # the fault did hit the webhook
            assert w.log_count("worker", "Traceback") == 0, w.logs()
