"""Hamla settings: the only module that reads the environment.

Every setting has a safe development default so `make run` works on a fresh
clone with no configuration; production (DEBUG=false) refuses to start without
the variables it cannot guess (see REQUIRED_IN_PRODUCTION).
"""

import base64
import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.checks import MAIL_ROUTE_MISSING, sends_mail_nowhere

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HAMLA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def dev_secret(filename, make=lambda: secrets.token_urlsafe(48)):
    """A random secret generated once into var/ (never committed) for development."""
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", True)

REQUIRED_IN_PRODUCTION = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "HAMLA_ENCRYPTION_KEY",
)
if not DEBUG:
    missing = [name for name in REQUIRED_IN_PRODUCTION if not os.environ.get(name)]
    if missing:
        raise ImproperlyConfigured(
            "Production settings (DEBUG=false) need these environment variables: "
            + ", ".join(missing)
            + ". See the configuration table in README.md."
        )

SECRET_KEY = os.environ.get("SECRET_KEY") or dev_secret("secret_key")
# Contact data is encrypted with this key; development generates one into var/.
# Several keys may be given, comma-separated, newest first (see `rotate_encryption_key`).
HAMLA_ENCRYPTION_KEY = os.environ.get("HAMLA_ENCRYPTION_KEY") or dev_secret(
    "encryption_key", lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL)

# Hamla's apps come first so their Arabic translations win over Django's own
# ("Log in" is "تسجيل الدخول" here, not the admin's "ادخل").
INSTALLED_APPS = [
    "accounts",
    "organisation",
    "contacts",
    "campaigns",
    "flyers",
    "asks",
    "messaging",
    "public_pages",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "anymail",
]
# Development tooling (bench, seed_demo, totp_code, demo data, the SMTP sink): never in a
# production process unless asked for, so production has no command needing dev requirements.
if DEBUG or env_bool("HAMLA_DEVTOOLS"):
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # No-store on staff pages, token pages and downloads; Permissions-Policy; then the CSP.
    "accounts.middleware.PrivacyHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hamla.urls"
WSGI_APPLICATION = "hamla.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.roles",
                "organisation.context_processors.organisation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'hamla.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so worker processes started by tests see the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    # A database server restarted under a persistent connection: checked before reuse,
    # so the next request or task reconnects instead of failing once. The backend is
    # Django's, with a check that needs no round trip (core/db/postgresql/base.py).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "core.db.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: lock a username+address pair after 5 failures for an hour.
# Two counts, each locking for an hour at AXES_FAILURE_LIMIT failures: per username across
# every address (rotating addresses does not help), and per address across every username
# (spraying usernames from one address does not either). A successful login clears only that
# user's failures from that address (accounts/lockout.py).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Attempts refused while locked are not counted (the lock runs an hour from the last real
# failure) and not audited one by one (accounts/signals.py).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "accounts.lockout.LockoutHandler"
# Staff addresses and browsers are not kept: no log of logins or failures, no user agent,
# and attempts older than the lock are purged by beat (accounts.tasks.purge_login_attempts).
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_CLIENT_IP_CALLABLE = "core.clientip.client_ip"
# Addresses or networks of the reverse proxies in front of the web process: X-Forwarded-For
# is read only from these peers (core/clientip.py). Anyone else connecting directly has it ignored.
HAMLA_TRUSTED_PROXIES = env_list("HAMLA_TRUSTED_PROXIES", "127.0.0.1/8,::1")
for _proxy in HAMLA_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"HAMLA_TRUSTED_PROXIES: {_proxy!r} is not an address or network.") from None
if os.environ.get("HAMLA_PROXY_COUNT", "0").strip() not in ("", "0"):
    # Counting hops believed whoever reached the web process directly; the list replaces it.
    raise ImproperlyConfigured(
        "HAMLA_PROXY_COUNT is replaced by HAMLA_TRUSTED_PROXIES (the proxies' addresses). See README.md."
    )

OTP_TOTP_ISSUER = "Hamla"

LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Istanbul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
HAMLA_MAX_IMPORT_BYTES = int(os.environ.get("HAMLA_MAX_IMPORT_BYTES", str(200 * 1024 * 1024)))

# --- Celery -----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Where the public forms' flood limits count (contacts/limits.py): Redis when there is one,
# else the database.
FLOOD_COUNTS_URL = REDIS_URL
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # kombu's Redis transport with one client per channel, not a new one per message (why: core/celery_redis.py).
    CELERY_BROKER_TRANSPORT = "core.celery_redis:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Embedded default: a broker that is only a folder, so no server is needed.
    _broker_dir = VAR_DIR / "broker"
    for sub in ("out", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost//"
    # kombu's folder transport, acknowledging finished tasks four times a second rather than
    # every two seconds (why: core/celery_folder.py).
    CELERY_BROKER_TRANSPORT = "core.celery_folder:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
        # How often an idle worker lists the folder, and how long its loop waits before it
        # acknowledges what finished (core/celery_folder.py); listing one folder four times a
        # second costs nothing.
        "polling_interval": float(os.environ.get("HAMLA_BROKER_POLL_SECONDS", "0.25")),
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A worker killed mid-task must not lose the task: acknowledge after it ran,
# requeue when the process dies, and hold only one unacknowledged task at a time.
# The queue workers read and beat sends to. Tests give each run its own (tests/isolation.py),
# so two runs on one machine never take each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("HAMLA_CELERY_QUEUE", "celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker that restarts (or is not up yet) is waited for, never given up on: workers and
# beat reconnect, retrying forever, at start-up as later.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A batch running when the broker connection drops goes on (it needs only the database and
# the mail server) and chains the next once the broker is back; cancelling it would leave
# its claimed rows to the lease sweep for nothing.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Task modules autodiscovery (each app's tasks.py) does not find.
CELERY_IMPORTS = ["asks.event_tasks"]
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "hamla.tasks.heartbeat", "schedule": float(os.environ.get("HAMLA_HEARTBEAT_SECONDS", "30"))},
    # Starts due newsletters and recovers abandoned sends (messaging/tasks.py).
    "messaging-sweep": {"task": "messaging.tasks.sweep", "schedule": float(os.environ.get("HAMLA_SWEEP_SECONDS", "5"))},
    # Sends again imports whose task was lost and deletes stray uploads (contacts/tasks.py).
    "contacts-sweep-imports": {"task": "contacts.tasks.sweep_imports", "schedule": 600.0},
    # Removes rendered flyers unused for a month (flyers/render.py).
    "flyers-prune-cache": {"task": "flyers.tasks.prune_cache", "schedule": 6 * 3600.0},
    # Erases signups nobody confirmed within 7 days, and ended flood counts (contacts/signup.py).
    "contacts-purge-unconfirmed": {"task": "contacts.tasks.purge_unconfirmed_signups", "schedule": 3600.0},
    # Forgets login attempts (staff addresses) once the lock they count towards is over.
    "accounts-purge-login-attempts": {"task": "accounts.tasks.purge_login_attempts", "schedule": 600.0},
    # Event reminders 24 h and 2 h before, each at most once (asks/reminders.py).
    "asks-event-reminders": {"task": "asks.event_tasks.send_reminders", "schedule": 300.0},
    # Sends the confirmation links a lost kick or a stopped worker left owed (asks/confirmations.py).
    "asks-send-confirmations": {"task": "asks.tasks.send_confirmations", "schedule": 30.0},
    # Deletes signatures, pledges and RSVPs nobody confirmed within 7 days (asks/responses.py).
    "asks-purge-unconfirmed": {"task": "asks.tasks.purge_unconfirmed_responses", "schedule": 3600.0},
}

# --- Email ------------------------------------------------------------------
ANYMAIL_ESP = os.environ.get("ANYMAIL_ESP", "").strip().lower()
ANYMAIL = {"WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET", "")}
if ANYMAIL_ESP:
    # e.g. ANYMAIL_ESP=postmark with ANYMAIL_POSTMARK_SERVER_TOKEN=...
    prefix = f"ANYMAIL_{ANYMAIL_ESP.upper()}_"
    for name, value in os.environ.items():
        if name.startswith(prefix):
            ANYMAIL[name.removeprefix("ANYMAIL_")] = value
    _default_email_backend = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
elif os.environ.get("EMAIL_HOST"):
    _default_email_backend = "django.core.mail.backends.smtp.EmailBackend"
else:
    _default_email_backend = "core.mail.OutboxBackend"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or _default_email_backend
# The outbox is for development: production with no way to send mail refuses to start
# (and `check --deploy` says so, core/checks.py) rather than keep every mail on disk.
if sends_mail_nowhere(DEBUG, EMAIL_BACKEND):
    raise ImproperlyConfigured(MAIL_ROUTE_MISSING)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Hamla <hamla@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
HAMLA_OUTBOX_DIR = VAR_DIR / "outbox"
# Messages per second across all workers (a shared token bucket in Redis).
HAMLA_SEND_RATE = float(os.environ.get("HAMLA_SEND_RATE", "0") or 0)
# When a whole worker dies (not one pool process, whose task Celery redelivers at once),
# the beat sweep releases its claimed deliveries after this many seconds. It must stay
# well above the longest batch (about a minute), or a slow live batch is sent twice.
HAMLA_CLAIM_STALE_SECONDS = float(os.environ.get("HAMLA_CLAIM_STALE_SECONDS", "600"))
# A sending message with no progress for this long gets new batch chains from the sweep.
HAMLA_STALL_SECONDS = float(os.environ.get("HAMLA_STALL_SECONDS", "120"))
# A worker proves it is alive by renewing a lease every fifth of this; when it lapses the
# sweep gives its claimed deliveries back at once (messaging/leases.py says how it was sized).
HAMLA_LEASE_SECONDS = float(os.environ.get("HAMLA_LEASE_SECONDS", "15"))
# Deliveries a batch claims (messaging/dispatch.py, BATCH_SIZE).
HAMLA_DISPATCH_BATCH = int(os.environ.get("HAMLA_DISPATCH_BATCH", "500"))
# Batch chains a send runs at once (messaging/tasks.py, LANES).
HAMLA_DISPATCH_LANES = int(os.environ.get("HAMLA_DISPATCH_LANES", "4"))

# --- Security ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# No Referer ever leaves for another site (a URL with a token or a saved search stays here).
# Not "no-referrer": browsers then send `Origin: null` with every form POST, which Django's
# CSRF check rightly refuses (and on HTTPS it needs Origin or Referer).
SECURE_REFERRER_POLICY = "same-origin"
# Strict CSP (django-csp): no inline script or style anywhere, scripts and styles from our
# own static files only. Pages that need another policy set their own header
# (the sandboxed newsletter preview), which the middleware then leaves alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],  # blob: for the flyer editor's live preview
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Tokens in URLs (/u/<token>/, /signup/confirm/<token>/) and addresses never reach a log.
    "filters": {"redact_urls": {"()": "core.logfilters.RedactURLs"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_urls"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["redact_urls"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Django's own request log lines, redacted before any handler (theirs or ours) sees them.
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_urls"],
        },
        "django.request": {"filters": ["redact_urls"]},
    },
}
