"""The Celery application: Redis in production, the filesystem transport when embedded."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veille.settings")

app = Celery("veille")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task latency for /metrics: connects the publish and post-run signals in every process.
import veille.task_metrics  # noqa: E402, F401

# The embedded broker's folders (kombu's filesystem transport), all under VEILLE_VAR_DIR.
_FILESYSTEM_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_configure.connect
def _make_broker_folders(sender: Celery, **_kwargs: Any) -> None:
    """kombu creates none of them but the last, and that one without its parents: any
    process that publishes or consumes (web, worker, beat) makes them first."""
    if not str(sender.conf.broker_url or "").startswith("filesystem://"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in _FILESYSTEM_FOLDERS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
