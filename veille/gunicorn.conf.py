"""Gunicorn settings for Veille. No access log: a reporter's address must not be written
anywhere, and the reverse proxy in front must be configured the same way (docs/operations.md)."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 30
accesslog = None
errorlog = "-"
# Never log request headers or the remote address.
access_log_format = '"%(r)s" %(s)s %(b)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
