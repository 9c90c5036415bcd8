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
