"""The Celery application: Redis in production, the filesystem transport when embedded."""

from __future__ import annotations

import logging.config
import os
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import beat_init, setup_logging, task_postrun, task_prerun, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veille.settings")

app = Celery("veille")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fix-up closes the database connection before and after every task
# unless this is set: a new PostgreSQL connection per task (a backend process forked on
# the database's side, TLS and auth on ours) cost about 5% of the worker's CPU and more
# of the machine's. With it, the connection is closed only every 2 x this many tasks,
# and Django's own rules apply in between (below): CONN_MAX_AGE, and a connection that
# raised an error is checked and replaced before the next task (a restarted database).
app.conf["CELERY_DB_REUSE_MAX"] = 10_000
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


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(task: Any = None, **_: Any) -> None:
    """What Django does around each request: drop a connection that is past CONN_MAX_AGE
    or that raised an error and fails its health check. Not for eager tasks: they run
    inside the caller's request or test transaction."""
    if getattr(getattr(task, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@setup_logging.connect
def use_django_logging(**_: Any) -> None:
    """The worker and beat log through Django's ``LOGGING``, masking filter included.

    Left to itself Celery replaces the root logger's handlers with its own
    (``worker_hijack_root_logger``), which carry no filter: a number logged inside a task,
    or quoted by an exception, came out in clear. A receiver of this signal takes over
    the whole set-up, so Celery installs none of its handlers. The level is
    ``LOG_LEVEL``, as for every other process (the ``-l`` option no longer changes it).
    """
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@worker_ready.connect
@beat_init.connect
def redirect_stray_output(**_: Any) -> None:
    """Once the banner is out, ``print()`` and stray writes to stdout/stderr (a traceback
    from a thread) become log records and pass the filter: what Celery itself does after
    its own set-up, and skips when a ``setup_logging`` receiver takes over."""
    if app.conf.worker_redirect_stdouts:
        app.log.redirect_stdouts(app.conf.worker_redirect_stdouts_level)
