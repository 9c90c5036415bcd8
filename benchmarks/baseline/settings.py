"""Veille's own settings plus one URL: the bare baseline view. Nothing else differs, so the
baseline and the webhook run through the same middleware, database and server."""

from veille.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.baseline.urls"
