"""System checks of the deployment that Django cannot know about by itself."""

from __future__ import annotations

from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def cache_keeps_nothing_on_disk(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Rate-limit buckets (HMACs of clients' addresses) and lockout counters must not be
    written to disk: ``manage.py check --deploy`` fails when the cache's Redis persists.
    Gunicorn runs the same check at start-up (veille/gunicorn.conf.py)."""
    from veille.ratelimit import cache_persistence_problems

    return [
        checks.Error(problem, hint="docs/operations.md, 'Cache'", id="veille.E001")
        for problem in cache_persistence_problems()
    ]
