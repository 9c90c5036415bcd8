"""Gunicorn settings for Veille. No access log: a reporter's address must not be written
anywhere, and the reverse proxy in front must be configured the same way (docs/operations.md)."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sized from the cores this process may use (a container's CPU set), 2 x cores + 1 as
# gunicorn recommends, unless GUNICORN_WORKERS says otherwise.
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * len(os.sched_getaffinity(0)) + 1)
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 30
accesslog = None
errorlog = "-"
# Never log request headers or the remote address.
access_log_format = '"%(r)s" %(s)s %(b)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server) -> None:
    """Refuse to serve when the cache's Redis writes to disk: the rate-limit buckets hold
    HMACs of clients' addresses that must not outlive their minutes. A Redis that cannot
    be asked (CONFIG disabled, not up yet) is logged loudly and the server starts."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veille.settings")
    django.setup()
    from django.core.cache import cache

    from veille.ratelimit import cache_persistence_problems

    problems = cache_persistence_problems()
    cache.close()
    for problem in problems:
        server.log.error("Veille: %s", problem)
    if any("could not be checked" not in problem for problem in problems):
        raise SystemExit("Veille: the cache must keep nothing on disk (docs/operations.md, 'Cache')")


# Gunicorn's own loggers (its errors quote request lines) get the masking filter that
# Django's LOGGING puts on every handler of the application: the same on every process.
_redacted_stream = {
    "class": "logging.StreamHandler",
    "formatter": "plain",
    "filters": ["redact"],
    "stream": "ext://sys.stderr",
}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "veille.privacy.RedactLogRecords"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": _redacted_stream, "error_console": _redacted_stream},
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        # No access log at all (accesslog = None above); nothing is attached here either.
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}
