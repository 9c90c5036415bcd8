"""Serve the embedded demo: the web server and a Celery worker with its beat scheduler.

No Redis: the worker uses kombu's filesystem transport (settings.CELERY_BROKER_URL), so
tasks and periodic sweeps run for real, as they would on Redis in production.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the demo web server on 127.0.0.1:8000 with its background worker and scheduler."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr: str, **options):
        if not settings.DEMO:
            raise CommandError("demo_serve runs only with VEILLE_DEMO=1.")
        for folder in ("queue", "processed", "control"):  # also made by veille.celery
            (settings.VAR_DIR / "broker" / folder).mkdir(parents=True, exist_ok=True)
        python = sys.executable
        worker = subprocess.Popen(
            [
                python,
                "-m",
                "celery",
                "-A",
                "veille",
                "worker",
                "--beat",
                "--pool=threads",
                "--concurrency=2",
                "--loglevel=INFO",
                "--without-mingle",
                "--without-gossip",
                f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
            ],
        )
        web = subprocess.Popen([python, "manage.py", "runserver", addr, "--noreload"])
        self.stdout.write(
            f"\nVeille demo on http://{addr}/  — simulator: http://{addr}/simulator/  — admin: http://{addr}/admin/\n"
            "Ctrl-C stops everything.\n"
        )
        stop = False

        def _stop(*_args: object) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        try:
            while not stop and worker.poll() is None and web.poll() is None:
                time.sleep(0.5)
        finally:
            for proc in (web, worker):
                if proc.poll() is None:
                    proc.terminate()
            for proc in (web, worker):
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if worker.returncode not in (0, None, -15) and not stop:
            raise CommandError(f"the worker stopped (exit {worker.returncode})")
