"""Settings for the test suite: fixed throw-away keys, eager tasks unless a test starts a
real worker, in-memory SMS. DATABASE_URL and REDIS_URL, when set, select PostgreSQL and
Redis exactly as in production."""

import os
import tempfile

os.environ["VEILLE_SKIP_ENV_FILE"] = "1"
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("VEILLE_DATA_KEYS", "t2:" + "A" * 43 + ",t1:" + "B" * 43)
os.environ.setdefault("VEILLE_PSEUDONYM_KEYS", "p1:" + "C" * 43)
os.environ.setdefault("TWILIO_AUTH_TOKEN", "test-twilio-auth-token")
os.environ.setdefault("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
os.environ.setdefault("TWILIO_FROM_NUMBER", "+22370000000")
# The Africa's Talking callback: its path secret, and the test client's address allowed.
os.environ.setdefault("AFRICASTALKING_CALLBACK_SECRET", "test-africastalking-callback-secret-0123456789")
os.environ.setdefault("AFRICASTALKING_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
os.environ.setdefault("PUBLIC_BASE_URL", "https://veille.example.org")
os.environ.setdefault("SMS_BACKEND", "messaging.backends.locmem.LocmemBackend")
os.environ.setdefault("VEILLE_VAR_DIR", tempfile.mkdtemp(prefix="veille-test-var-"))
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("VEILLE_DEMO", "1")
# The test client speaks plain HTTP to an https PUBLIC_BASE_URL; the redirect has its own
# tests with the production defaults (tests/staff/test_transport.py).
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# Tests send many SMS in a burst; pacing has its own tests with the real default rate.
os.environ.setdefault("SMS_SEND_RATE_PER_SECOND", "10000")

from veille.settings import *  # noqa: F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: the anonymity tests read the raw database bytes, as an attacker
    # holding a copy of the disk would.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]

if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WHITENOISE_AUTOREFRESH = True
