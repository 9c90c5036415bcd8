"""The bare project's WSGI entry (``gunicorn benchmarks.bare.wsgi -c veille/gunicorn.conf.py``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.bare.settings")
application = get_wsgi_application()
