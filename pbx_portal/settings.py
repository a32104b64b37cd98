"""Settings for the PBX portal, read from the environment with django-environ.

With no environment set the portal is a local install: SQLite, a Celery broker on the
filesystem (no server), DEBUG on, and per-install keys kept in ``var/``. Production
(``DEBUG=false``) refuses to start without a real ``SECRET_KEY`` and ``FIELD_ENCRYPTION_KEY``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from pbx_portal.database import duration_seconds, postgresql_options
from pbx_portal.local_keys import local_fernet_key, local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

MIN_SECRET_KEY_LENGTH = 40
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="") or local_secret_key(VAR_DIR)
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEY", default=[]) or [local_fernet_key(VAR_DIR)]
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_KEY_LENGTH} characters "
            "when DEBUG is off."
        )
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEY", default=[])
    if not FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be set when DEBUG is off (one or more comma-separated Fernet keys; "
            "generate one with: python manage.py generate_encryption_key)."
        )
    for _key in FIELD_ENCRYPTION_KEYS:
        try:
            Fernet(_key.encode())
        except ValueError as _exc:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEY holds a value that is not a Fernet key (32 url-safe base64-encoded bytes)."
            ) from _exc

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://localhost:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[PUBLIC_BASE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "organizations",
    "extensions",
    "integrations",
    "integrations.sync",
    "integrations.sync.realtime",
    "integrations.sync.users",
    "integrations.scim",
    "contacts",
    "sso",
    "presence",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "pbx_portal.middleware.SignInFormActionMiddleware",
    "pbx_portal.middleware.PrivateCacheMiddleware",  # outside the two below: their answers are private too
    "pbx_portal.errors.ApiErrorsAsJsonMiddleware",  # sees every answer of /api/ (errors raised below included)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pbx_portal.input_guard.BadInputGuardMiddleware",  # NUL anywhere, JSON size and depth: 400 before any view
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "organizations.middleware.CurrentOrganizationMiddleware",
    "sso.middleware.AdminSignInPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pbx_portal.errors.FormOnlyPageMiddleware",  # a blank 405 (a form's address opened in the browser): a page
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a lockout raised during authentication into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pbx_portal.urls"
WSGI_APPLICATION = "pbx_portal.wsgi.application"

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
                "organizations.context_processors.current_organization",
                "integrations.context_processors.entra_status",
            ],
            "builtins": ["pbx_portal.templatetags.portal_times"],  # {% when %}: local time, UTC on hover
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASE_STATEMENT_TIMEOUT = env.str("DATABASE_STATEMENT_TIMEOUT", default="30s")  # web processes
WORKER_DATABASE_STATEMENT_TIMEOUT = env.str("WORKER_DATABASE_STATEMENT_TIMEOUT", default="300s")  # Celery workers
DATABASE_HANG_TIMEOUT = env.float("DATABASE_HANG_TIMEOUT", default=3.0)
duration_seconds(DATABASE_STATEMENT_TIMEOUT, name="DATABASE_STATEMENT_TIMEOUT")  # refuse a typo at start-up
duration_seconds(WORKER_DATABASE_STATEMENT_TIMEOUT, name="WORKER_DATABASE_STATEMENT_TIMEOUT")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Local runs share one SQLite file between web, worker and beat: wait for locks, take write locks up front.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Every round trip is bounded (pbx_portal.database): a hung or unreachable database fails the request within
    # seconds, with the 503 page, instead of holding a web worker until gunicorn kills it. Celery workers switch to
    # WORKER_DATABASE_STATEMENT_TIMEOUT when they start (pbx_portal.celery).
    DATABASES["default"]["ENGINE"] = "pbx_portal.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {}).update(postgresql_options(
        statement_timeout=DATABASE_STATEMENT_TIMEOUT, connect_timeout=env.int("DATABASE_CONNECT_TIMEOUT", default=5),
        hang_timeout=DATABASE_HANG_TIMEOUT))
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=2.0)
if REDIS_URL:
    CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
    }}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
HEALTHZ_TIMEOUT = env.float("HEALTHZ_TIMEOUT", default=3.0)
# Bodies that are not forms (JSON APIs): at most this large and this deeply nested (pbx_portal.input_guard).
JSON_BODY_MAX_BYTES = env.int("JSON_BODY_MAX_BYTES", default=64 * 1024)
JSON_MAX_DEPTH = 32

# Sign-in throttling (organizations.sign_in_throttle; README "Security"), shared by /login/, /operator/login/ (through
# django-axes' backend and middleware, with our handler) and the UC Client's PBX password sign-in. Per realm:
# LOGIN_FAILURE_LIMIT failures lock an account from one address, LOGIN_ADDRESS_FAILURE_LIMIT lock an address, for
# LOGIN_LOCKOUT_MINUTES; an account alone is only slowed down (attempts from failed addresses spaced by up to
# LOGIN_SLOWDOWN_MAX_SECONDS).
SIGN_IN_THROTTLE = env.bool("LOGIN_THROTTLE", default=True)  # off only to measure what it protects (bench/)
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
LOGIN_LOCKOUT = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
LOGIN_SLOWDOWN_MAX_SECONDS = env.float("LOGIN_SLOWDOWN_MAX_SECONDS", default=3.0)
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_ENABLED = SIGN_IN_THROTTLE
AXES_HANDLER = "organizations.lockout.SignInThrottleHandler"
AXES_LOCKOUT_CALLABLE = "organizations.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "pbx_portal.http.client_ip"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]  # what the handler counts (and axes checks)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = LOGIN_LOCKOUT
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a refused attempt never extends a lock
AXES_ENABLE_ADMIN = False  # axes' own tables stay empty: locks are under Organizations in /operator/
# Reverse proxies in front of gunicorn that append to X-Forwarded-For (0: clients connect directly). Every limiter,
# lock and sign-in log reads the client address through pbx_portal.http.client_ip.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "extensions:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Locally whitenoise serves straight from the app folders; in production from the collected, hashed files.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# A working day, and ended when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=10 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only in production (both on by default when DEBUG is off); health probes may use plain HTTP.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Strict Content-Security-Policy: scripts and styles only from our static files, no inline code anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    },
}

_default_email_backend = "console" if DEBUG else "smtp"
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=f"django.core.mail.backends.{_default_email_backend}.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PBX Portal <noreply@localhost>")

# Microsoft endpoints: the same code talks to Microsoft or to the emulator.
MICROSOFT_AUTHORITY_HOST = env.str("MICROSOFT_AUTHORITY_HOST", default="https://login.microsoftonline.com").rstrip("/")
MICROSOFT_GRAPH_URL = env.str("MICROSOFT_GRAPH_URL", default="https://graph.microsoft.com").rstrip("/")
# Empty means the system's CA bundle (certifi / REQUESTS_CA_BUNDLE); a path trusts a private CA.
MICROSOFT_CA_BUNDLE = env.str("MICROSOFT_CA_BUNDLE", default="")
MICROSOFT_HTTP_TIMEOUT = env.float("MICROSOFT_HTTP_TIMEOUT", default=30.0)
# Test Connection (in a worker): no Retry-After wait may run past this total deadline (s). A test queued longer
# than CONNECTION_TEST_STALE_AFTER ago that has not finished (worker died, queue stuck) may be started again.
CONNECTION_TEST_DEADLINE = env.float("CONNECTION_TEST_DEADLINE", default=60.0)
CONNECTION_TEST_STALE_AFTER = env.int("CONNECTION_TEST_STALE_AFTER", default=300)

# UC Client single sign-on: native apps' callback schemes (e.g. vcuc://sso), token lifetimes, rate limits.
UC_NATIVE_REDIRECT_SCHEMES = env.list("UC_NATIVE_REDIRECT_SCHEMES", default=["vcuc"])
UC_ACCESS_TOKEN_LIFETIME = env.int("UC_ACCESS_TOKEN_LIFETIME", default=15 * 60)
UC_REFRESH_TOKEN_LIFETIME = env.int("UC_REFRESH_TOKEN_LIFETIME", default=30 * 24 * 3600)
UC_TOKEN_RATE_LIMIT = {"ip": 120, "account": 10, "window": 60}
# Requests a minute one organization API key may make (caller-ID lookups and call events together).
API_KEY_RATE_LIMIT = env.int("API_KEY_RATE_LIMIT", default=1200)
# Requests a minute one SCIM Secret Token may make (Microsoft Entra provisioning sends one request at a time).
SCIM_RATE_LIMIT = env.int("SCIM_RATE_LIMIT", default=3000)

# Celery: Redis when REDIS_URL is set (CELERY_BROKER_URL overrides), else the filesystem transport.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    _celery_queue_dir = VAR_DIR / "celery" / "queue"
    _celery_processed_dir = VAR_DIR / "celery" / "processed"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_queue_dir),
        "data_folder_out": str(_celery_queue_dir),
        "processed_folder": str(_celery_processed_dir),
        "store_processed": False,
    }
    _celery_queue_dir.mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or REDIS_URL
if not CELERY_RESULT_BACKEND:
    (VAR_DIR / "celery" / "results").mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'celery' / 'results'}"
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=CELERY_TASK_TIME_LIMIT - 60)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
SYNC_DISPATCH_SECONDS = env.float("SYNC_DISPATCH_SECONDS", default=10.0)
SYNC_LOG_RETENTION_DAYS = env.int("SYNC_LOG_RETENTION_DAYS", default=90)
# Near real-time updates (Microsoft Graph change notifications; README "Near real-time updates"). Graph calls
# GRAPH_NOTIFICATION_URL + /graph/notifications/: it must be HTTPS and reachable from the internet.
# GRAPH_NOTIFICATION_ALLOW_HTTP: only for the emulator started with --allow-http-notifications (make run, tests).
GRAPH_NOTIFICATION_URL = env.str("GRAPH_NOTIFICATION_URL", default=PUBLIC_BASE_URL).rstrip("/")
GRAPH_NOTIFICATION_ALLOW_HTTP = env.bool("GRAPH_NOTIFICATION_ALLOW_HTTP", default=False)
GRAPH_NOTIFICATION_SAFETY_NET_MINUTES = env.int("GRAPH_NOTIFICATION_SAFETY_NET_MINUTES", default=60)
GRAPH_NOTIFICATION_COALESCE_SECONDS = env.float("GRAPH_NOTIFICATION_COALESCE_SECONDS", default=1.0)
GRAPH_NOTIFICATION_MAX_BYTES = env.int("GRAPH_NOTIFICATION_MAX_BYTES", default=4 * 1024 * 1024)
CELERY_BEAT_SCHEDULE = {
    "entra-credential-health": {
        "task": "integrations.tasks.check_all_credentials",
        "schedule": crontab(hour=6, minute=0),
    },
    # Beat only dispatches: each due organization's sync runs as its own task on any worker.
    "sync-dispatch": {"task": "sync.dispatch", "schedule": SYNC_DISPATCH_SECONDS},
    # Subscriptions renewed at half their lifetime, failing ones retried (polling meanwhile).
    "realtime-upkeep": {"task": "realtime.maintain_due", "schedule": 300.0},
    "sync-housekeeping": {"task": "sync.housekeeping", "schedule": 60.0},
    "sync-log-retention": {"task": "sync.purge_log", "schedule": crontab(hour=3, minute=30)},
    # SCIM push: the grace period before deleting removed extensions, on days Entra sends nothing too.
    "scim-grace-period": {"task": "scim.grace_period", "schedule": crontab(hour=4, minute=0)},
}

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "msal": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
