"""Django settings: everything from the environment, with safe dev defaults (DESIGN.md 10).

Dev and demo need no variables at all. With DEBUG off (production) the dev defaults for
SECRET_KEY and FIELD_ENCRYPTION_KEY are refused, so a deployment cannot run on them.
"""

import hashlib
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from syncadmin.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SYNCADMIN_VAR_DIR", str(BASE_DIR / "var")))

DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"
# A fixed Fernet key so dev databases stay readable across restarts; refused in production.
DEV_FIELD_ENCRYPTION_KEY = "Zm9yLWRldi1vbmx5LW5vdC1hLXJlYWwtc2VjcmV0LTA="

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
# Comma-separated Fernet keys: the first encrypts, all decrypt (key rotation).
FIELD_ENCRYPTION_KEY = env_list("FIELD_ENCRYPTION_KEY", [DEV_FIELD_ENCRYPTION_KEY])

if not DEBUG:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("Set SECRET_KEY (at least 32 characters) when DEBUG is off.")
    if DEV_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEY:
        raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEY to your own Fernet key(s).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_htmx",
    "csp",
    "encrypted_model_fields",
    "syncadmin.accounts",
    "syncadmin.audit",
    "syncadmin.integration",
    "syncadmin.usage",
    "syncadmin.sync",
    "syncadmin.health",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "syncadmin.audit.log.AuditActorMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Sign-in throttling (issue 16): after AXES_FAILURE_LIMIT failed sign-ins for one username
# from one address, that pair is locked out for AXES_COOLOFF_TIME (hours); success resets.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

ROOT_URLCONF = "syncadmin.urls"
WSGI_APPLICATION = "syncadmin.wsgi.application"

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
                "syncadmin.accounts.context.accounts",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'syncadmin.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The demo's web, worker and beat share one SQLite file: WAL + immediate transactions
    # avoid "database is locked" between them.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE",
         "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("it", _("Italian")), ("pl", _("Polish")), ("da", _("Danish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
# Installations sharing one Redis must never block or run each other's jobs: sync locks,
# cache keys and the Celery queue carry this name. By default it is derived from the
# database, so two installations with their own databases never collide (two demos both
# have an account 1); set it to name an installation explicitly.
_DB = DATABASES["default"]
INSTALLATION = env_str("SYNCADMIN_INSTALLATION", "") or "db-" + hashlib.sha256(
    f"{_DB.get('HOST')}:{_DB.get('PORT')}/{_DB.get('NAME')}".encode()).hexdigest()[:10]
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", f"syncadmin:{INSTALLATION}"),
    }
    if env_bool("USE_REDIS_CACHE", not DEBUG)
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = f"syncadmin-{INSTALLATION}"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True  # a killed worker's job is redone (DESIGN.md 8)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# A killed worker's unacknowledged job is handed out again after this many seconds; it must
# exceed the longest job (the per-account lock stops a second copy from running meanwhile).
# Unacknowledged jobs are looked for every CELERY_RESTORE_INTERVAL seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    "unacked_restore_interval": env_int("CELERY_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": 1,
}

# Sandbox mode: the emulators' control API and the demo. Never on in production.
SANDBOX = env_bool("SYNCADMIN_SANDBOX", DEBUG)
SANDBOX_STATE_DIR = Path(env_str("SANDBOX_STATE_DIR", str(VAR_DIR / "sandbox")))
SYNC_POLL_SECONDS = env_int("SYNC_POLL_SECONDS", 2 if SANDBOX else 60)
# A sync holds a per-account Redis lock that expires this long after its last progress, so a
# crashed worker blocks the account only briefly.
# The account's sync lease: renewed by a heartbeat every third of it while a run lives, so
# a killed worker blocks the account for at most this long.
SYNC_LOCK_SECONDS = env_int("SYNC_LOCK_SECONDS", 15)
# A job that found the account busy (a retry behind a poll) is tried again this soon.
SYNC_RETRY_SECONDS = env_int("SYNC_RETRY_SECONDS", 3)
# Reads and writes of more Salesforce records than this go through Bulk API 2.0 jobs (a few
# calls each) instead of REST pages and collections (issue 13). A bulk job is first polled
# this many milliseconds after it is closed (the emulator finishes a job when it is polled).
SYNC_BULK_THRESHOLD = env_int("SYNC_BULK_THRESHOLD", 10_000)
SYNC_BULK_POLL_MS = env_int("SYNC_BULK_POLL_MS", 0 if SANDBOX else 1000)
# Automatic retries of failed records (issue 17): every SYNC_RETRY_EVERY_MINUTES, up to
# SYNC_RETRY_QUICK times, then nightly at SYNC_RETRY_NIGHTLY_HOUR (UTC); none while more than
# SYNC_RETRY_BUDGET_SHARE of the API allocation is used.
SYNC_RETRY_EVERY_MINUTES = env_int("SYNC_RETRY_EVERY_MINUTES", 20)
SYNC_RETRY_QUICK = env_int("SYNC_RETRY_QUICK", 10)
SYNC_RETRY_NIGHTLY_HOUR = env_int("SYNC_RETRY_NIGHTLY_HOUR", 2)
SYNC_RETRY_BUDGET_SHARE = float(env_str("SYNC_RETRY_BUDGET_SHARE", "0.8"))
# Retention (`manage.py prune`, daily on beat): ages of API-usage minute buckets and hourly
# rollups (floors of 2 and 8 days keep the 24-hour sum and the 7-day chart whole), finished
# job runs, and export files.
RETENTION_USAGE_MINUTE_DAYS = env_int("RETENTION_USAGE_MINUTE_DAYS", 2)
RETENTION_USAGE_HOUR_DAYS = env_int("RETENTION_USAGE_HOUR_DAYS", 35)
RETENTION_RUN_DAYS = env_int("RETENTION_RUN_DAYS", 30)
RETENTION_EXPORT_HOURS = env_int("RETENTION_EXPORT_HOURS", 24)
CELERY_BEAT_SCHEDULE = {
    "poll-active-accounts": {"task": "sync.poll_all", "schedule": float(SYNC_POLL_SECONDS)},
    "prune-old-rows": {"task": "sync.prune", "schedule": 24 * 3600.0},
}

# OAuth apps and remote hosts. REMOTE_CA_FILE trusts an extra CA (the sandbox's).
SALESFORCE_CLIENT_ID = env_str("SALESFORCE_CLIENT_ID")
SALESFORCE_CLIENT_SECRET = env_str("SALESFORCE_CLIENT_SECRET")
SALESFORCE_LOGIN_URL = env_str("SALESFORCE_LOGIN_URL", "https://login.salesforce.com")
SALESFORCE_SANDBOX_LOGIN_URL = env_str(
    "SALESFORCE_SANDBOX_LOGIN_URL", "https://test.salesforce.com"
)
HUBSPOT_CLIENT_ID = env_str("HUBSPOT_CLIENT_ID")
HUBSPOT_CLIENT_SECRET = env_str("HUBSPOT_CLIENT_SECRET")
HUBSPOT_API_HOST = env_str("HUBSPOT_API_HOST", "https://api.hubapi.com")
HUBSPOT_AUTH_URL = env_str("HUBSPOT_AUTH_URL", "https://app.hubspot.com/oauth/authorize")
# HubSpot search indexes writes "a few moments" late; change reads overlap by this much.
HUBSPOT_SEARCH_LAG_SECONDS = env_int("HUBSPOT_SEARCH_LAG_SECONDS", 60)
REMOTE_CA_FILE = env_str("REMOTE_CA_FILE") or None

# Security headers. HTTPS-only settings follow DEBUG so `check --deploy` passes in production.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# No inline scripts or styles anywhere (DESIGN.md 9).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *env_list("CSP_FORM_ACTION_EXTRA", [])],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
