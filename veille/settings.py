"""Veille settings, read from the environment (see .env.example for every variable).

Bad or missing values fail at start-up with a message naming the variable: a
misconfigured server must not start with placeholder secrets.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from veille.env import envbool, envchoice, envfloat, envint, envlist, envstr, load_env_file

BASE_DIR = Path(__file__).resolve().parent.parent
if not envbool("VEILLE_SKIP_ENV_FILE", False):
    load_env_file(Path(os.environ.get("VEILLE_ENV_FILE", BASE_DIR / ".env")))

VAR_DIR = Path(envstr("VEILLE_VAR_DIR", str(BASE_DIR / "var")))

DEMO = envbool("VEILLE_DEMO", False)
DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY", required=True)
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
PUBLIC_BASE_URL = envstr("PUBLIC_BASE_URL", "http://127.0.0.1:8000" if DEMO else None, required=not DEMO).rstrip("/")
if not PUBLIC_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("PUBLIC_BASE_URL must start with http:// or https://.")
CSRF_TRUSTED_ORIGINS = [PUBLIC_BASE_URL]

INSTALLED_APPS = [
    # No admin autodiscovery: django-leaflet's admin module imports GeoDjango (GDAL),
    # which this project does not need. veille/urls.py imports each admin module instead.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "leaflet",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Project-wide commands (key rotation) that reach models only through the app registry.
    "veille",
    # Project apps, in import order: each may import only those above it.
    "places",
    "messaging",
    "focal_points",
    "reporting",
    "alerts",
    "demo",
]

MIDDLEWARE = [
    # First: nothing below may see the reporter's address or device.
    "veille.privacy.ReporterMetadataMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "veille.privacy.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "veille.urls"
WSGI_APPLICATION = "veille.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "veille.context_processors.veille",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'veille.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60))}
# The password may come apart from the URL (DATABASE_PASSWORD_FILE: a Docker secret), so
# the URL itself holds no secret and can be written in docker-compose.yml.
if envstr("DATABASE_PASSWORD"):
    DATABASES["default"]["PASSWORD"] = envstr("DATABASE_PASSWORD")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at the
        # start of a transaction, so two writers queue on busy_timeout instead of one
        # failing with "database is locked" half-way through.
        "transaction_mode": "IMMEDIATE",
        "timeout": envint("SQLITE_BUSY_TIMEOUT_SECONDS", 20, minimum=1),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Queue and cache ----------------------------------------------------------------
REDIS_URL = envstr("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A message taken by a worker that dies is handed out again after this delay.
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 300, minimum=5),
        "queue_order_strategy": "priority",
        # Ten priority levels: 0 (urgent alerts) is served before 9 (bulk broadcasts).
        "priority_steps": list(range(10)),
        "sep": ":",
        # A refused connection fails the publish at once (the row is stored; the sweep
        # takes it): a webhook never waits on a dead broker.
        "max_retries": 0,
        "socket_connect_timeout": 1,
        "socket_timeout": 5,
    }
    # The cache may live in its own Redis (no persistence needed: locks, counters, the
    # place index version); the broker's should keep its queue across a restart.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": envstr("CACHE_REDIS_URL", REDIS_URL),
        }
    }
else:
    # Embedded default: Celery on kombu's filesystem transport, so the worker and the
    # scheduler run for real without Redis (one machine only).
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    # kombu's transport, with whole-file writes (a full disk leaves no broken message).
    CELERY_BROKER_TRANSPORT = "veille.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # kombu's exchange tables; its default is the working directory (the checkout).
        "control_folder": str(_broker_dir / "control"),
    }
    # A file cache is shared by the web process and the worker without any table to
    # create; good enough for one machine (locks, lockout counters, the place index version).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a task killed mid-way is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_DEFAULT_PRIORITY = 5
CELERY_TIMEZONE = "Africa/Bamako"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Publishing must fail fast when the broker is down: the row is already stored and the
# sweep below will pick it up, so a webhook never waits on a dead broker.
CELERY_BROKER_CONNECTION_TIMEOUT = envfloat("CELERY_BROKER_CONNECTION_TIMEOUT", 1.0, minimum=0.1)
CELERY_TASK_PUBLISH_RETRY = False
# --- Escalation: minutes an alert may stay unacknowledged, per severity ---
ESCALATION_MINUTES = {
    "critical": envfloat("ESCALATION_MINUTES_CRITICAL", 15, minimum=0.01),
    "high": envfloat("ESCALATION_MINUTES_HIGH", 30, minimum=0.01),
    "medium": envfloat("ESCALATION_MINUTES_MEDIUM", 120, minimum=0.01),
    "low": envfloat("ESCALATION_MINUTES_LOW", 480, minimum=0.01),
}
ESCALATION_CHECK_SECONDS = envfloat("ESCALATION_CHECK_SECONDS", 60, minimum=0.5)

SWEEP_GRACE_SECONDS = envint("SWEEP_GRACE_SECONDS", 60, minimum=0)
CELERY_BEAT_SCHEDULE = {
    "sweep-inbound": {"task": "messaging.tasks.sweep_inbound", "schedule": envint("SWEEP_INBOUND_SECONDS", 30)},
    "sweep-outbound": {"task": "messaging.tasks.sweep_outbound", "schedule": envint("SWEEP_OUTBOUND_SECONDS", 30)},
    "purge-contact-vault": {"task": "messaging.tasks.purge_contact_vault", "schedule": 3600},
    "purge-old-messages": {"task": "messaging.tasks.purge_old_messages", "schedule": 3600},
    "escalate-overdue-alerts": {"task": "alerts.tasks.escalate_overdue", "schedule": ESCALATION_CHECK_SECONDS},
    "purge-closed-reports": {"task": "reporting.tasks.purge_closed_reports", "schedule": 6 * 3600},
    "purge-web-submissions": {"task": "reporting.tasks.purge_web_submissions", "schedule": 3600},
    "purge-ussd-sessions": {"task": "reporting.tasks.purge_ussd_sessions", "schedule": 600},
}

# --- Health, readiness, metrics (docs/operations.md) -----------------------------------
# Each readiness check is a dotted path to a callable returning (ok, detail). Apps add
# theirs here (an SMS gateway's heartbeat is one more entry).
READINESS_CHECKS = envlist(
    "READINESS_CHECKS",
    [
        "veille.health.check_database",
        "veille.health.check_broker",
        "veille.health.check_cache",
        "veille.health.check_broker_persistence",
        "messaging.health.check_inbound_backlog",
    ],
)
# Not ready once the oldest pending inbound message is older than this.
READINESS_INBOUND_MAX_AGE_SECONDS = envint("READINESS_INBOUND_MAX_AGE_SECONDS", 600, minimum=60)
# Not ready when the broker's Redis keeps neither AOF nor snapshots (docker-compose sets it).
BROKER_REQUIRE_PERSISTENCE = envbool("BROKER_REQUIRE_PERSISTENCE", False)
# Bearer token for /metrics (and for /readyz details); unset: /metrics answers 404.
METRICS_TOKEN = envstr("METRICS_TOKEN", "")
if METRICS_TOKEN and len(METRICS_TOKEN) < 24:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 24 characters.")
METRICS_COLLECTORS = envlist(
    "METRICS_COLLECTORS",
    [
        "veille.metrics.collect_readiness",
        "veille.task_metrics.collect",
        "messaging.metrics.collect",
        "alerts.metrics.collect",
    ],
)
# Probes and scrapers speak plain HTTP inside the deployment: never redirected to HTTPS
# (Django's SECURE_REDIRECT_EXEMPT: regexes on the path without its leading slash).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# --- Backups (manage.py backup / restore) ---------------------------------------------
BACKUP_DIR = Path(envstr("BACKUP_DIR", str(VAR_DIR / "backups")))

# --- Keys ---------------------------------------------------------------------------
VEILLE_DATA_KEYS = envstr("VEILLE_DATA_KEYS", required=True)
VEILLE_PSEUDONYM_KEYS = envstr("VEILLE_PSEUDONYM_KEYS", required=True)

# --- SMS ----------------------------------------------------------------------------
SMS_BACKEND = envstr(
    "SMS_BACKEND",
    "messaging.backends.file.FileBackend" if DEMO else "messaging.backends.twilio.TwilioBackend",
)
SMS_FILE_PATH = envstr("SMS_FILE_PATH", str(VAR_DIR / "sms-outbox"))
TWILIO_ACCOUNT_SID = envstr("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = envstr("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = envstr("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = envstr("TWILIO_MESSAGING_SERVICE_SID", "")
# Deletes each inbound SMS, and each sent SMS once its delivery status is final, from
# Twilio's logs (a copy there holds the number and the text, a receipt's code included).
TWILIO_DELETE_INBOUND = envbool("TWILIO_DELETE_INBOUND", True)
TWILIO_HTTP_TIMEOUT_SECONDS = envfloat("TWILIO_HTTP_TIMEOUT_SECONDS", 10.0, minimum=0.5)
# The providers whose webhooks this deployment serves; only their settings are required.
# ("none": SMS is not offered at all; USSD and the web form still are.)
SMS_PROVIDERS = [name for name in envlist("SMS_PROVIDERS", ["twilio"]) if name != "none"]
_known_providers = {"twilio"}
if set(SMS_PROVIDERS) - _known_providers:
    raise ImproperlyConfigured(
        f"SMS_PROVIDERS: unknown provider(s) {', '.join(sorted(set(SMS_PROVIDERS) - _known_providers))}; "
        f"known: {', '.join(sorted(_known_providers))}."
    )
if SMS_BACKEND.endswith("TwilioBackend") and "twilio" not in SMS_PROVIDERS:
    raise ImproperlyConfigured("SMS_BACKEND is Twilio but 'twilio' is not in SMS_PROVIDERS.")
if "twilio" in SMS_PROVIDERS and not TWILIO_AUTH_TOKEN:
    raise ImproperlyConfigured(
        "TWILIO_AUTH_TOKEN must be set while 'twilio' is in SMS_PROVIDERS: the SMS webhook rejects every request "
        "it cannot verify."
    )
if SMS_BACKEND.endswith("TwilioBackend") and not (
    TWILIO_ACCOUNT_SID and (TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID)
):
    raise ImproperlyConfigured(
        "The Twilio SMS backend needs TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID."
    )
SMS_SEND_RATE_PER_SECOND = envfloat("SMS_SEND_RATE_PER_SECOND", 1.0, minimum=0.01)
SMS_MAX_INLINE_WAIT_SECONDS = envfloat("SMS_MAX_INLINE_WAIT_SECONDS", 5.0, minimum=0)
SMS_MAX_SEND_ATTEMPTS = envint("SMS_MAX_SEND_ATTEMPTS", 6, minimum=1)
# A provider outage (timeouts, network errors, 5xx) is retried past the attempt cap for
# this long after the SMS was queued, at most this many seconds apart.
SMS_OUTAGE_RETRY_MINUTES = envint("SMS_OUTAGE_RETRY_MINUTES", 120, minimum=0)
SMS_OUTAGE_MAX_BACKOFF_SECONDS = envint("SMS_OUTAGE_MAX_BACKOFF_SECONDS", 120, minimum=5)
SMS_REPLY_MODE = envchoice("SMS_REPLY_MODE", "always", {"always", "never"})
SMS_JOIN_WINDOW_MINUTES = envint("SMS_JOIN_WINDOW_MINUTES", 10, minimum=0)
CONTACT_VAULT_DAYS = envint("CONTACT_VAULT_DAYS", 30, minimum=1)
REPORT_RETENTION_DAYS = envint("REPORT_RETENTION_DAYS", 365, minimum=1)
INBOUND_RETENTION_DAYS = envint("INBOUND_RETENTION_DAYS", 7, minimum=1)
OUTBOUND_RETENTION_DAYS = envint("OUTBOUND_RETENTION_DAYS", 30, minimum=1)
INBOUND_MAX_ATTEMPTS = envint("INBOUND_MAX_ATTEMPTS", 10, minimum=1)
INBOUND_SMS_MAX_CHARS = envint("INBOUND_SMS_MAX_CHARS", 4000, minimum=160)
# Where a webhook keeps SMS (encrypted) while the database is down; shared by web and worker.
INBOUND_SPOOL_DIR = Path(envstr("INBOUND_SPOOL_DIR", str(VAR_DIR / "spool")))
# Inbound handlers, tried in order; the first that claims a message handles it. Listed by
# dotted path so messaging/ never imports the apps that build on it.
INBOUND_SMS_HANDLERS = envlist(
    "INBOUND_SMS_HANDLERS",
    ["alerts.sms.handle_alert_sms", "reporting.staff_sms.handle_staff_sms", "reporting.sms.handle_inbound_sms"],
)

# --- Triage ---
CLAIM_MINUTES = envint("CLAIM_MINUTES", 30, minimum=1)
QUESTION_REPLY_HOURS = envint("QUESTION_REPLY_HOURS", 48, minimum=1)

OUTBOUND_FAILURE_HANDLERS = envlist("OUTBOUND_FAILURE_HANDLERS", ["alerts.delivery.on_outbound_failed"])

# --- USSD ---------------------------------------------------------------------------
USSD_SESSION_TTL_SECONDS = envint("USSD_SESSION_TTL_SECONDS", 600, minimum=60)
USSD_ALLOWED_SERVICE_CODES = envlist("USSD_ALLOWED_SERVICE_CODES", [])

# --- Reports ------------------------------------------------------------------------
REPORT_MAX_PHOTOS = envint("REPORT_MAX_PHOTOS", 3, minimum=0, maximum=10)
REPORT_MAX_PHOTO_BYTES = envint("REPORT_MAX_PHOTO_BYTES", 5 * 1024 * 1024, minimum=10_000)
REPORT_MAX_PHOTO_PIXELS = envint("REPORT_MAX_PHOTO_PIXELS", 24_000_000, minimum=10_000)
REPORT_PHOTO_MAX_SIDE = envint("REPORT_PHOTO_MAX_SIDE", 1600, minimum=200)
REPORT_MAX_DESCRIPTION_CHARS = envint("REPORT_MAX_DESCRIPTION_CHARS", 4000, minimum=200)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
RECEIPT_FAILURES_PER_MINUTE = envint("RECEIPT_FAILURES_PER_MINUTE", 120, minimum=1)
WEB_FORM_TOKEN_MAX_AGE_SECONDS = envint("WEB_FORM_TOKEN_MAX_AGE_SECONDS", 6 * 3600, minimum=300)
QUICK_EXIT_URL = envstr("QUICK_EXIT_URL", "https://www.google.com/search?q=meteo+bamako")

# --- Privacy ------------------------------------------------------------------------
# Everything outside these prefixes is reporter-facing: network metadata is wiped there.
VEILLE_STAFF_PATHS = envlist("VEILLE_STAFF_PATHS", ["/admin/", "/staff/", "/api/", "/static/"])
MAP_TILE_URL = envstr("MAP_TILE_URL", "/static/tiles/{z}/{x}/{y}.png")
_tile_origin = ""
if MAP_TILE_URL.startswith(("http://", "https://")):
    _scheme, _, _rest = MAP_TILE_URL.partition("://")
    # Tiles from a deployment-controlled server; never a public tile server by default.
    _tile_origin = " " + _scheme + "://" + _rest.split("/", 1)[0].replace("{s}", "*")
VEILLE_CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; img-src 'self' data: blob:{_tile_origin}; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# --- Auth and sessions --------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/staff/login/"
LOGIN_MAX_FAILURES = envint("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_LOCKOUT_SECONDS = envint("LOGIN_LOCKOUT_SECONDS", 900, minimum=60)
OTP_TOTP_ISSUER = "Veille"
SESSION_COOKIE_AGE = envint("STAFF_IDLE_SECONDS", 15 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout, not absolute
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", False) else None
_https = PUBLIC_BASE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Languages and time -------------------------------------------------------------
LANG_INFO.setdefault("bm", {"bidi": False, "code": "bm", "name": "Bambara", "name_local": "Bamanankan"})
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English")), ("bm", _("Bamanankan"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Africa/Bamako"

STATIC_URL = "/static/"
# The image collects into the app folder at build time; the embedded demo collects into
# its own var folder at every ``make run`` (demo_setup), so what it serves is current.
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "staticfiles" if DEMO else BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}

LEAFLET_CONFIG = {
    "TILES": [("OSM", MAP_TILE_URL, {"attribution": "Tiles: deployment"})],
    "DEFAULT_CENTER": (14.5, -4.0),
    "DEFAULT_ZOOM": 6,
    "RESET_VIEW": False,
    "NO_GLOBALS": True,
}

LOG_LEVEL = envchoice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "veille.privacy.RedactLogRecords"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # No mail_admins handler anywhere: its e-mails would carry request.META.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # The Twilio client logs every request's URL and headers at INFO: message ids and
        # the account id, noise at best. Its warnings and errors still show.
        "twilio": {"level": "WARNING"},
    },
}
