"""Veille settings, read from the environment (see .env.example for every variable).

Bad or missing values fail at start-up with a message naming the variable: a
misconfigured server must not start with placeholder secrets.
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from veille.env import envbool, envchoice, envfloat, envint, envlist, envstr, load_env_file
from veille.languages import django_settings as django_languages
from veille.netaddr import parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent
if not envbool("VEILLE_SKIP_ENV_FILE", False):
    load_env_file(Path(os.environ.get("VEILLE_ENV_FILE") or BASE_DIR / ".env"))

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
    "drf_spectacular",
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
    "api",
    "commands",
    "demo",
]

MIDDLEWARE = [
    # First: nothing below may see the reporter's address or device.
    "veille.privacy.ReporterMetadataMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "veille.privacy.SecurityHeadersMiddleware",
    # The providers' SMS webhooks (FAST_PATHS) leave the chain here: none of what
    # follows serves them (veille/fastpath.py).
    "veille.fastpath.FastPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a session past its absolute lifetime is ended here.
    "focal_points.auth.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Exact paths that skip the session, language, CSRF, user and message middleware: the
# providers' signed SMS and delivery-status webhooks, which use none of them.
FAST_PATHS = ("/channels/twilio/sms/", "/channels/twilio/status/", "/channels/android/webhook/")

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
                "messaging.context_processors.gateways",
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
    # The cache (rate-limit buckets, lockout counters, locks) may live in a Redis of its
    # own: it must keep nothing on disk (save "", appendonly no; checked at start-up by
    # veille.ratelimit.cache_persistence_problems), while the broker's may persist.
    CACHE_REDIS_URL = envstr("CACHE_REDIS_URL", REDIS_URL)
    # veille.cache: Django's Redis cache with one client per process (see there why).
    CACHES = {"default": {"BACKEND": "veille.cache.RedisCache", "LOCATION": CACHE_REDIS_URL}}
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
# Celery must not replace the root logger's handlers (they carry the masking filter);
# veille/celery.py gives the worker and beat Django's LOGGING instead.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# --- Escalation: minutes an alert may stay unacknowledged, per severity ---
ESCALATION_MINUTES = {
    "critical": envfloat("ESCALATION_MINUTES_CRITICAL", 15, minimum=0.01),
    "high": envfloat("ESCALATION_MINUTES_HIGH", 30, minimum=0.01),
    "medium": envfloat("ESCALATION_MINUTES_MEDIUM", 120, minimum=0.01),
    "low": envfloat("ESCALATION_MINUTES_LOW", 480, minimum=0.01),
}
ESCALATION_CHECK_SECONDS = envfloat("ESCALATION_CHECK_SECONDS", 60, minimum=0.5)
# --- Early warning (alerts/spike_method.py, docs/early-warning.md) ---
# A cercle's count of one category is a spike when its Poisson upper tail, against the
# weeks before, is under SPIKE_ALPHA, and it is at least SPIKE_MIN_COUNT reports.
SPIKE_ALPHA = envfloat("SPIKE_ALPHA", 0.001, minimum=1e-9)
SPIKE_MIN_COUNT = envint("SPIKE_MIN_COUNT", 3, minimum=1)
SPIKE_CHECK_SECONDS = envfloat("SPIKE_CHECK_SECONDS", 900, minimum=1)
# --- Public figures (/transparence/, alerts/transparency.py) ---
# A figure from fewer reports than this is hidden (with complementary suppression); a
# month is published this many days after its end, then frozen.
TRANSPARENCY_MIN_CELL = envint("TRANSPARENCY_MIN_CELL", 10, minimum=2)
TRANSPARENCY_DELAY_DAYS = envint("TRANSPARENCY_DELAY_DAYS", 31, minimum=0)

SWEEP_GRACE_SECONDS = envint("SWEEP_GRACE_SECONDS", 60, minimum=0)
CELERY_BEAT_SCHEDULE = {
    "sweep-inbound": {"task": "messaging.tasks.sweep_inbound", "schedule": envint("SWEEP_INBOUND_SECONDS", 30)},
    "sweep-outbound": {"task": "messaging.tasks.sweep_outbound", "schedule": envint("SWEEP_OUTBOUND_SECONDS", 30)},
    "purge-contact-vault": {"task": "messaging.tasks.purge_contact_vault", "schedule": 3600},
    "purge-old-messages": {"task": "messaging.tasks.purge_old_messages", "schedule": 3600},
    "watch-gateways": {"task": "messaging.tasks.watch_gateways", "schedule": envint("GATEWAY_WATCH_SECONDS", 60)},
    "purge-provider-events": {"task": "messaging.tasks.purge_provider_events", "schedule": 3600},
    "escalate-overdue-alerts": {"task": "alerts.tasks.escalate_overdue", "schedule": ESCALATION_CHECK_SECONDS},
    "detect-spikes": {"task": "alerts.tasks.detect_spikes", "schedule": SPIKE_CHECK_SECONDS},
    "publish-transparency": {"task": "alerts.tasks.publish_transparency", "schedule": 6 * 3600},
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
        "messaging.health.check_gateways",
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
        "messaging.metrics.collect_handoff",
        "alerts.metrics.collect",
    ],
)
# Probes and scrapers speak plain HTTP inside the deployment: never redirected to HTTPS
# (HTTPS_REDIRECT_EXEMPT_PATHS, below, lists /healthz, /readyz and /metrics).

# --- Backups (manage.py backup / restore) ---------------------------------------------
BACKUP_DIR = Path(envstr("BACKUP_DIR", str(VAR_DIR / "backups")))

# --- Keys ---------------------------------------------------------------------------
VEILLE_DATA_KEYS = envstr("VEILLE_DATA_KEYS", required=True)
VEILLE_PSEUDONYM_KEYS = envstr("VEILLE_PSEUDONYM_KEYS", required=True)

# --- SMS ----------------------------------------------------------------------------
# Outbound SMS go by the providers of their route (SMS_ROUTES). SMS_BACKEND, when set,
# sends everything through that one backend instead: the demo's file outbox, the console,
# the tests' memory (never a real deployment's choice).
SMS_BACKEND = envstr("SMS_BACKEND", "messaging.backends.file.FileBackend" if DEMO else "")
SMS_FILE_PATH = envstr("SMS_FILE_PATH", str(VAR_DIR / "sms-outbox"))
TWILIO_ACCOUNT_SID = envstr("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = envstr("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = envstr("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = envstr("TWILIO_MESSAGING_SERVICE_SID", "")
# Deletes each inbound SMS, and each sent SMS once its delivery status is final, from
# Twilio's logs (a copy there holds the number and the text, a receipt's code included).
TWILIO_DELETE_INBOUND = envbool("TWILIO_DELETE_INBOUND", True)
TWILIO_HTTP_TIMEOUT_SECONDS = envfloat("TWILIO_HTTP_TIMEOUT_SECONDS", 10.0, minimum=0.5)
# Empty: Twilio's own API. Otherwise a Twilio-compatible endpoint (a proxy the deployment
# runs; the end-to-end tests' fake Twilio on loopback).
TWILIO_API_BASE_URL = envstr("TWILIO_API_BASE_URL", "").rstrip("/")
# The providers whose webhooks this deployment serves; only their settings are required.
# ("none": SMS is not offered at all; USSD and the web form still are.)
SMS_PROVIDERS = [name for name in envlist("SMS_PROVIDERS", ["twilio"]) if name != "none"]
_known_providers = {"twilio", "android"}
if set(SMS_PROVIDERS) - _known_providers:
    raise ImproperlyConfigured(
        f"SMS_PROVIDERS: unknown provider(s) {', '.join(sorted(set(SMS_PROVIDERS) - _known_providers))}; "
        f"known: {', '.join(sorted(_known_providers))}."
    )
if SMS_BACKEND.endswith("TwilioBackend") and "twilio" not in SMS_PROVIDERS:
    raise ImproperlyConfigured("SMS_BACKEND is Twilio but 'twilio' is not in SMS_PROVIDERS.")
# Which providers send to which numbers, tried in order: "+223=android,twilio;*=twilio"
# (longest matching prefix first; "*" for every other number). Default: every enabled
# provider, in SMS_PROVIDERS order, for every number.
SMS_ROUTES = envstr("SMS_ROUTES", "")
for _route in filter(None, (part.strip() for part in SMS_ROUTES.split(";"))):
    _prefix, _sep, _names = _route.partition("=")
    _unknown = [name.strip() for name in _names.split(",") if name.strip() not in SMS_PROVIDERS]
    if not _prefix.strip() or not _names.strip() or _unknown:
        raise ImproperlyConfigured(
            f"SMS_ROUTES: {_route!r} must read PREFIX=provider,provider with providers from SMS_PROVIDERS"
            + (f" ({', '.join(_unknown)} not enabled)" if _unknown else "")
        )
if "twilio" in SMS_PROVIDERS and not TWILIO_AUTH_TOKEN:
    raise ImproperlyConfigured(
        "TWILIO_AUTH_TOKEN must be set while 'twilio' is in SMS_PROVIDERS: the SMS webhook rejects every request "
        "it cannot verify."
    )
_routed = (
    {name.strip() for route in SMS_ROUTES.split(";") for name in route.partition("=")[2].split(",") if name.strip()}
    if SMS_ROUTES.strip()
    else set(SMS_PROVIDERS)
)
if (SMS_BACKEND.endswith("TwilioBackend") or (not SMS_BACKEND and "twilio" in _routed)) and not (
    TWILIO_ACCOUNT_SID and (TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID)
):
    raise ImproperlyConfigured(
        "The Twilio SMS backend needs TWILIO_ACCOUNT_SID and TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID."
    )
# --- SMS Gateway for Android (a local SIM in a phone; see docs/operations.md) ---
ANDROID_GATEWAY_MODE = envchoice("ANDROID_GATEWAY_MODE", "local", {"local", "private", "cloud"})
ANDROID_GATEWAY_URL = envstr(
    "ANDROID_GATEWAY_URL", "https://api.sms-gate.app/3rdparty/v1" if ANDROID_GATEWAY_MODE == "cloud" else ""
).rstrip("/")
ANDROID_GATEWAY_USERNAME = envstr("ANDROID_GATEWAY_USERNAME", "")
ANDROID_GATEWAY_PASSWORD = envstr("ANDROID_GATEWAY_PASSWORD", "")
ANDROID_GATEWAY_SIGNING_KEY = envstr("ANDROID_GATEWAY_SIGNING_KEY", "")
# The app's end-to-end encryption passphrase (numbers and texts encrypted on their way).
ANDROID_GATEWAY_PASSPHRASE = envstr("ANDROID_GATEWAY_PASSPHRASE", "")
ANDROID_GATEWAY_ENCRYPTION_ITERATIONS = envint("ANDROID_GATEWAY_ENCRYPTION_ITERATIONS", 75_000, minimum=1000)
# Phones of one account (private or cloud server); empty: the one phone (local mode).
ANDROID_GATEWAY_DEVICES = envlist("ANDROID_GATEWAY_DEVICES", [])
# Android lets an app send about 30 SMS a minute on an unrooted phone.
ANDROID_GATEWAY_SMS_PER_MINUTE = envfloat("ANDROID_GATEWAY_SMS_PER_MINUTE", 29, minimum=0.1)
ANDROID_GATEWAY_HTTP_TIMEOUT_SECONDS = envfloat("ANDROID_GATEWAY_HTTP_TIMEOUT_SECONDS", 10.0, minimum=0.5)
ANDROID_GATEWAY_WEBHOOK_TOLERANCE_SECONDS = envint("ANDROID_GATEWAY_WEBHOOK_TOLERANCE_SECONDS", 300, minimum=30)
# How long the phone keeps trying to send one SMS before giving it up.
ANDROID_GATEWAY_MESSAGE_TTL_SECONDS = envint("ANDROID_GATEWAY_MESSAGE_TTL_SECONDS", 6 * 3600, minimum=60)
# A phone is down after this long without a ping, or after only failures for this long
# (or this many in a row); while down, one send is tried every RETRY minutes.
ANDROID_GATEWAY_PING_TIMEOUT_MINUTES = envfloat("ANDROID_GATEWAY_PING_TIMEOUT_MINUTES", 15, minimum=0.01)
ANDROID_GATEWAY_FAILURE_MINUTES = envfloat("ANDROID_GATEWAY_FAILURE_MINUTES", 10, minimum=0.01)
ANDROID_GATEWAY_FAILURES_BEFORE_DOWN = envint("ANDROID_GATEWAY_FAILURES_BEFORE_DOWN", 3, minimum=1)
ANDROID_GATEWAY_RETRY_MINUTES = envfloat("ANDROID_GATEWAY_RETRY_MINUTES", 5, minimum=0.01)
if "android" in SMS_PROVIDERS:
    _missing = [
        name
        for name, value in (
            ("ANDROID_GATEWAY_SIGNING_KEY", ANDROID_GATEWAY_SIGNING_KEY),
            ("ANDROID_GATEWAY_URL", ANDROID_GATEWAY_URL),
            ("ANDROID_GATEWAY_PASSWORD", ANDROID_GATEWAY_PASSWORD),
        )
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"'android' is in SMS_PROVIDERS but {', '.join(_missing)} not set.")
    if ANDROID_GATEWAY_MODE == "cloud" and not ANDROID_GATEWAY_PASSPHRASE:
        raise ImproperlyConfigured(
            "ANDROID_GATEWAY_MODE=cloud passes numbers and texts through a third party: it is allowed only with the "
            "app's end-to-end encryption, so ANDROID_GATEWAY_PASSPHRASE must be set."
        )
PROVIDER_EVENT_RETENTION_DAYS = envint("PROVIDER_EVENT_RETENTION_DAYS", 3, minimum=1)
# Told when a gateway phone goes down (dotted paths, so messaging/ imports no app).
GATEWAY_DOWN_HANDLERS = envlist("GATEWAY_DOWN_HANDLERS", ["focal_points.notifications.gateway_down"])

# Twilio's pace (and that of SMS_BACKEND when set).
SMS_SEND_RATE_PER_SECOND = envfloat("SMS_SEND_RATE_PER_SECOND", 1.0, minimum=0.01)
# A send whose pacing slot is nearer than this sleeps for it; a later one is queued again
# for its slot (an ETA task) and frees the worker. Small: a sleeping worker process sends
# nothing else meanwhile (two of them are the whole worker in the P4 set-up).
SMS_MAX_INLINE_WAIT_SECONDS = envfloat("SMS_MAX_INLINE_WAIT_SECONDS", 0.5, minimum=0)
# A paced SMS whose slot is further off is looked at again after this long (its slot kept):
# under the broker's visibility timeout, past which Redis hands an ETA task out twice.
SMS_PACED_RECHECK_SECONDS = envfloat("SMS_PACED_RECHECK_SECONDS", 120.0, minimum=1)
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
# How the webhook hands a stored SMS to the worker (messaging/handoff.py): "list", one
# pipelined push onto a Redis list drained by the worker (one Celery task per burst, not
# per SMS), with Redis; "task", one Celery task per SMS, the embedded default's way.
INBOUND_HANDOFF = envchoice("INBOUND_HANDOFF", "list" if REDIS_URL else "task", {"list", "task"})
# Ids one drain task takes at once before it queues its continuation.
INBOUND_DRAIN_BATCH = envint("INBOUND_DRAIN_BATCH", 20, minimum=1, maximum=1000)
INBOUND_SMS_MAX_CHARS = envint("INBOUND_SMS_MAX_CHARS", 4000, minimum=160)
# Where a webhook keeps SMS (encrypted) while the database is down; shared by web and worker.
INBOUND_SPOOL_DIR = Path(envstr("INBOUND_SPOOL_DIR", str(VAR_DIR / "spool")))
# Inbound handlers, tried in order; the first that claims a message handles it. Listed by
# dotted path so messaging/ never imports the apps that build on it.
INBOUND_SMS_HANDLERS = envlist("INBOUND_SMS_HANDLERS", ["commands.router.handle_inbound_sms"])
# LIRE <ref> by SMS puts a reporter's (masked) words on a relay's phone, which may be
# seized: off unless the deployment turns it on (docs/sms-commands.md).
RELAY_SMS_READ = envbool("RELAY_SMS_READ", False)
# How long the numbers of a list sent by SMS (TRANSMETTRE <ref>) stay valid.
SMS_CHOICE_LIST_MINUTES = envint("SMS_CHOICE_LIST_MINUTES", 15, minimum=1)

# --- Triage ---
CLAIM_MINUTES = envint("CLAIM_MINUTES", 30, minimum=1)
QUESTION_REPLY_HOURS = envint("QUESTION_REPLY_HOURS", 48, minimum=1)

OUTBOUND_FAILURE_HANDLERS = envlist("OUTBOUND_FAILURE_HANDLERS", ["alerts.delivery.on_outbound_failed"])
# Called with the pseudonym when a sender opts out (STOP, or the provider's 21610): each
# app forgets what it keeps of that sender.
OPT_OUT_HANDLERS = envlist("OPT_OUT_HANDLERS", ["alerts.community.on_opt_out"])

# --- USSD ---------------------------------------------------------------------------
USSD_SESSION_TTL_SECONDS = envint("USSD_SESSION_TTL_SECONDS", 600, minimum=60)
USSD_ALLOWED_SERVICE_CODES = envlist("USSD_ALLOWED_SERVICE_CODES", [])
# The USSD gateways served, each a folder messaging/providers/<name>/ whose URLs answer at
# /channels/ussd/<name>/ ("none": no USSD channel). Only their settings are required.
USSD_PROVIDERS = [name for name in envlist("USSD_PROVIDERS", ["africastalking"]) if name != "none"]


def _is_ussd_gateway(name: str) -> bool:
    """A USSD gateway is a folder messaging/providers/<name>/ with its ussd.py adapter
    (looked up on disk: importing an app's module before the registry is ready fails)."""
    return (
        bool(re.fullmatch(r"[a-z][a-z0-9_]*", name)) and (BASE_DIR / "messaging/providers" / name / "ussd.py").is_file()
    )


for _name in USSD_PROVIDERS:
    if not _is_ussd_gateway(_name):
        raise ImproperlyConfigured(f"USSD_PROVIDERS: no USSD gateway {_name!r} in messaging/providers/.")
# What answers the menus, by dotted path: messaging/ imports no app built on it.
USSD_HANDLER = envstr("USSD_HANDLER", "reporting.ussd.services.ussd_handler")

# --- Voice ----------------------------------------------------------------------------
# What answers voice calls (the same menu as USSD, spoken), by dotted path, as for USSD.
VOICE_HANDLER = envstr("VOICE_HANDLER", "reporting.voice.services.voice_handler")
# The prompts a deployment records (native speakers): <dir>/<language>/<key>.wav.
VOICE_PROMPT_DIR = envstr("VOICE_PROMPT_DIR", str(VAR_DIR / "voice-prompts"))
# The voice providers served, each a folder messaging/providers/<name>/ ("none": no voice
# channel; the default). "twilio" answers calls at /channels/twilio/voice/.
VOICE_PROVIDERS = [name for name in envlist("VOICE_PROVIDERS", ["none"]) if name != "none"]
if set(VOICE_PROVIDERS) - {"twilio", "sip"}:
    raise ImproperlyConfigured(
        f"VOICE_PROVIDERS: unknown provider(s) {', '.join(sorted(set(VOICE_PROVIDERS) - {'twilio', 'sip'}))}."
    )
if "twilio" in VOICE_PROVIDERS and not (TWILIO_AUTH_TOKEN and (TWILIO_ACCOUNT_SID or DEMO)):
    # The demo (no Twilio account: the simulator signs with the token) deletes no call log.
    raise ImproperlyConfigured(
        "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set while 'twilio' is in VOICE_PROVIDERS: the voice webhook "
        "checks Twilio's signature with the token, and call logs are deleted with both."
    )
# Seconds a menu waits for a key, and silences in a row before the call is ended politely.
VOICE_GATHER_TIMEOUT_SECONDS = envint("VOICE_GATHER_TIMEOUT_SECONDS", 8, minimum=3, maximum=30)
VOICE_MAX_SILENCES = envint("VOICE_MAX_SILENCES", 2, minimum=0, maximum=5)

# The SIP user agent (messaging/providers/sip/): it registers to a local SIP trunk or a GSM
# gateway box holding Malian SIMs (SIP_REGISTRAR set) or takes the calls a gateway sends
# straight to it (SIP_REGISTRAR empty). Only the addresses listed may place calls to it.
SIP_REGISTRAR = envstr("SIP_REGISTRAR", "")  # host or host:port of the trunk or gateway
SIP_USER = envstr("SIP_USER", "")
SIP_PASSWORD = envstr("SIP_PASSWORD", "")
# Every interface by default: the gateway box or the trunk reaches it over the network
# (only SIP_ALLOWED_NETWORKS may call).
SIP_BIND_ADDRESS = envstr("SIP_BIND_ADDRESS", "0.0.0.0")  # noqa: S104
SIP_PORT = envint("SIP_PORT", 5060, minimum=1, maximum=65535)
SIP_RTP_PORT_MIN = envint("SIP_RTP_PORT_MIN", 16000, minimum=1024, maximum=65534)
SIP_RTP_PORT_MAX = envint("SIP_RTP_PORT_MAX", 16100, minimum=1025, maximum=65535)
SIP_MAX_CALLS = envint("SIP_MAX_CALLS", 8, minimum=1, maximum=32)  # PJSUA's own ceiling
SIP_MAX_CALL_SECONDS = envint("SIP_MAX_CALL_SECONDS", 900, minimum=60)
SIP_ALLOWED_NETWORKS = [str(net) for net in parse_networks("SIP_ALLOWED_NETWORKS", envlist("SIP_ALLOWED_NETWORKS"))]
if "sip" in VOICE_PROVIDERS:
    if SIP_RTP_PORT_MAX - SIP_RTP_PORT_MIN < 2 * SIP_MAX_CALLS:
        raise ImproperlyConfigured(
            "SIP_RTP_PORT_MIN..SIP_RTP_PORT_MAX must hold two ports (RTP and RTCP) per call of SIP_MAX_CALLS."
        )
    if SIP_REGISTRAR and not (SIP_USER and SIP_PASSWORD):
        raise ImproperlyConfigured(
            "SIP_USER and SIP_PASSWORD must be set while SIP_REGISTRAR is (the trunk's account)."
        )
    if not SIP_ALLOWED_NETWORKS:
        if not DEMO:
            raise ImproperlyConfigured(
                "SIP_ALLOWED_NETWORKS must list the trunk's or the gateway's addresses (CIDR, comma-separated) while "
                "'sip' is in VOICE_PROVIDERS: the user agent refuses calls from anywhere else."
            )
        SIP_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]

# Africa's Talking signs nothing: its callback URL carries this secret, and only its
# networks may call it. The allow-list may be empty only in the demo, where it means
# loopback (the simulator, or a tunnel ending on this machine).
AFRICASTALKING_CALLBACK_SECRET = envstr("AFRICASTALKING_CALLBACK_SECRET", "")
AFRICASTALKING_ALLOWED_NETWORKS = [
    str(net) for net in parse_networks("AFRICASTALKING_ALLOWED_NETWORKS", envlist("AFRICASTALKING_ALLOWED_NETWORKS"))
]
if "africastalking" in USSD_PROVIDERS:
    if not re.fullmatch(r"[A-Za-z0-9_-]{32,}", AFRICASTALKING_CALLBACK_SECRET):
        raise ImproperlyConfigured(
            "AFRICASTALKING_CALLBACK_SECRET must be set (32 or more URL-safe characters: "
            "python -c \"import secrets; print(secrets.token_urlsafe(32))\") while 'africastalking' is in "
            "USSD_PROVIDERS: the USSD callback refuses every request without it."
        )
    if not AFRICASTALKING_ALLOWED_NETWORKS:
        if not DEMO:
            raise ImproperlyConfigured(
                "AFRICASTALKING_ALLOWED_NETWORKS must list Africa's Talking's networks (CIDR, comma-separated) while "
                "'africastalking' is in USSD_PROVIDERS."
            )
        AFRICASTALKING_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]

# --- Reports ------------------------------------------------------------------------
REPORT_MAX_PHOTOS = envint("REPORT_MAX_PHOTOS", 3, minimum=0, maximum=10)
REPORT_MAX_PHOTO_BYTES = envint("REPORT_MAX_PHOTO_BYTES", 5 * 1024 * 1024, minimum=10_000)
REPORT_MAX_PHOTO_PIXELS = envint("REPORT_MAX_PHOTO_PIXELS", 24_000_000, minimum=10_000)
REPORT_PHOTO_MAX_SIDE = envint("REPORT_PHOTO_MAX_SIDE", 1600, minimum=200)
REPORT_MAX_DESCRIPTION_CHARS = envint("REPORT_MAX_DESCRIPTION_CHARS", 4000, minimum=200)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# Wrong receipt codes: per client (web address, phone, USSD session) in each window, and
# platform-wide per minute (far above normal use). See docs/security.md for the numbers.
RECEIPT_FAILURES_PER_CLIENT = envint("RECEIPT_FAILURES_PER_CLIENT", 10, minimum=1)
RECEIPT_BUCKET_SECONDS = envint("RECEIPT_BUCKET_SECONDS", 600, minimum=60, maximum=3600)
RECEIPT_FAILURES_PER_MINUTE = envint("RECEIPT_FAILURES_PER_MINUTE", 600, minimum=1)
# The header the reverse proxy sets to the client's address (e.g. HTTP_X_REAL_IP), read
# only to count wrong codes per client; empty = the socket's address (no proxy).
WEB_FORM_TOKEN_MAX_AGE_SECONDS = envint("WEB_FORM_TOKEN_MAX_AGE_SECONDS", 6 * 3600, minimum=300)
QUICK_EXIT_URL = envstr("QUICK_EXIT_URL", "https://www.google.com/search?q=meteo+bamako")

# --- Privacy ------------------------------------------------------------------------
# Everything outside these prefixes is reporter-facing: network metadata is wiped there,
# and the proxy keeps no access log (docs/nginx.conf). Never a prefix that reporter pages
# load, such as /static/: a reporter's browser fetches those files.
VEILLE_STAFF_PATHS = envlist("VEILLE_STAFF_PATHS", ["/admin/", "/staff/", "/api/"])
# Paths only some networks may call (gateway callbacks), by prefix: the privacy middleware
# checks the address against them before it wipes it, and keeps only the yes/no answer.
VEILLE_ADDRESS_ALLOWLISTS: dict[str, list[str]] = {}
if "africastalking" in USSD_PROVIDERS:
    VEILLE_ADDRESS_ALLOWLISTS["/channels/ussd/africastalking/"] = AFRICASTALKING_ALLOWED_NETWORKS
# Secrets carried in URL paths: masked in every log record (a 404's "Not Found: <path>").
VEILLE_LOG_REDACTED_SECRETS = [AFRICASTALKING_CALLBACK_SECRET] if "africastalking" in USSD_PROVIDERS else []
# Empty (the default): no tile layer, the map draws the shipped borders (static/map/) only.
MAP_TILE_URL = envstr("MAP_TILE_URL", "")
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
# Lockout: failures per username (locks that account) and per client address (refuses
# that address only), counted over LOGIN_LOCKOUT_SECONDS.
LOGIN_MAX_FAILURES = envint("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_MAX_FAILURES_PER_ADDRESS = envint("LOGIN_MAX_FAILURES_PER_ADDRESS", 20, minimum=1)
LOGIN_LOCKOUT_SECONDS = envint("LOGIN_LOCKOUT_SECONDS", 900, minimum=60)
# Proxies whose X-Forwarded-For is believed (addresses or networks). Empty: the peer's
# address is the client's, and X-Forwarded-For is ignored.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or a network.") from _exc
# Minutes a first-enrolment secret stays valid (one secret per enrolment session).
ENROLL_SECRET_SECONDS = envint("ENROLL_SECRET_SECONDS", 600, minimum=60)
OTP_TOTP_ISSUER = "Veille"
SESSION_COOKIE_AGE = envint("STAFF_IDLE_SECONDS", 15 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout, renewed by activity...
# ...and an absolute one, counted from the login, whatever the activity.
STAFF_SESSION_MAX_SECONDS = envint("STAFF_SESSION_MAX_SECONDS", 8 * 3600, minimum=300)
# The authenticator code is asked again before forwarding, closing, exporting, approving
# a community alert or changing an accused force when the last one is older than this.
STAFF_REAUTH_SECONDS = envint("STAFF_REAUTH_SECONDS", 15 * 60, minimum=30)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", False) else None
_https = PUBLIC_BASE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
# Served over HTTPS: plain HTTP is redirected and browsers told to never use it again.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", _https)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if _https else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
# Paths answered over plain HTTP: health probes come straight to the container.
HTTPS_REDIRECT_EXEMPT_PATHS = envlist("HTTPS_REDIRECT_EXEMPT_PATHS", ["/healthz", "/readyz", "/metrics"])
SECURE_REDIRECT_EXEMPT = [rf"^{re.escape(path.strip('/'))}/?$" for path in HTTPS_REDIRECT_EXEMPT_PATHS]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Languages and time -------------------------------------------------------------
# The deployment's languages (ISO 639 codes), each with its files in LOCALE_PATHS:
# <code>/language.toml (name, direction, native review) and its gettext catalogue
# (veille/languages.py). French is always first: the source of every text.
LANGUAGE_CODE = "fr"
LOCALE_PATHS = [BASE_DIR / "locale"]
VEILLE_LANGUAGES = envlist("VEILLE_LANGUAGES", ["fr", "en", "bm"])  # veille.languages.DEFAULT_LANGUAGES
LANGUAGES = django_languages(VEILLE_LANGUAGES, LOCALE_PATHS)["LANGUAGES"]
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
    # A token (Bearer) or a staff session that passed the second factor; nothing else.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.ScopePermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Veille — API du personnel",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}
# API tokens: read/triage tokens live days; a token that may forward or close, hours.
API_TOKEN_DAYS = envint("API_TOKEN_DAYS", 30, minimum=1, maximum=90)
API_TOKEN_FORWARD_CLOSE_HOURS = envint("API_TOKEN_FORWARD_CLOSE_HOURS", 8, minimum=1, maximum=24)

LEAFLET_CONFIG = {
    "TILES": [("OSM", MAP_TILE_URL, {"attribution": "Tiles: deployment"})] if MAP_TILE_URL else [],
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
