"""The Celery application: Redis in production, the filesystem transport when embedded."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veille.settings")

app = Celery("veille")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
