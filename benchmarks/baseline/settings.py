"""Veille's own settings plus one URL: the bare baseline view. Nothing else differs, so the
baseline and the webhook run through the same middleware, database and server.

BENCH_BROKER_POLLING_INTERVAL (benchmarks only) overrides the broker's polling interval,
to measure a proposed setting before it is made in veille/settings.py.
"""

import os

from veille.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.baseline.urls"
# Registers benchmarks/baseline/tasks.py with the workers (P4's bare task); no models.
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.baseline"]  # noqa: F405
# The bare views take the webhooks' way through the middleware (veille/fastpath.py).
FAST_PATHS = (*FAST_PATHS, "/channels/bench-baseline/sms/", "/channels/bench-baseline/android/")  # noqa: F405

if os.environ.get("BENCH_BROKER_POLLING_INTERVAL"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "polling_interval": float(os.environ["BENCH_BROKER_POLLING_INTERVAL"]),
    }
