"""The smallest Django project that can take the webhook's POST: no installed app, no
middleware, no template, one URL. Only the database settings follow Veille's (the same
URL, persistent connections, health checks), so the difference to the webhook is Django
itself plus one INSERT, the limit of this stack."""

import os

import dj_database_url

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "benchmarks.bare.urls"
WSGI_APPLICATION = "benchmarks.bare.wsgi.application"
USE_TZ = True
TIME_ZONE = "UTC"
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# gunicorn.conf.py's start-up check reads the cache: a local one, checked for nothing.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING_CONFIG = None
