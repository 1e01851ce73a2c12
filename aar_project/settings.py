"""AAR settings: one module, every value from the environment.

A missing or malformed value stops start-up with a message that names the variable.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import django_stubs_ext
import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

# Generic classes of Django (ModelAdmin[Team], ModelForm[Review]) subscriptable at run time,
# as django-stubs types them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _read(name: str, reader, **kwargs):  # type: ignore[no-untyped-def]
    """Read one variable, turning a malformed value into a message that names it."""
    try:
        return reader(name, **kwargs)
    except ImproperlyConfigured:
        raise
    except Exception as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {exc}") from exc


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _strict_bool(name: str, default: bool = False) -> bool:
    raw = env.str(name, default="1" if default else "0").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name} must be 1/0, true/false, yes/no or on/off, not {raw!r}"
    )


def _database(name: str, default: str) -> dict[str, object]:
    config: dict[str, object] = env.db_url(name, default=default)
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(
            f"Environment variable {name} is malformed: use postgres://user@host:port/name "
            "or sqlite:////absolute/path.sqlite3"
        )
    return config


DEBUG: bool = _strict_bool("DEBUG")

_secret_file = env.str("SECRET_KEY_FILE", default="")
if _secret_file:
    try:
        SECRET_KEY = Path(_secret_file).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"SECRET_KEY_FILE cannot be read: {exc}") from exc
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) in the environment; "
            "only DEBUG=1 runs without one."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS: list[str] = _read(
    "ALLOWED_HOSTS", env.list, default=["127.0.0.1", "localhost"] if DEBUG else []
)
SITE_URL: str = _read("SITE_URL", env.str, default="http://127.0.0.1:8000").rstrip("/")
if urlsplit(SITE_URL).scheme not in {"http", "https"} or not urlsplit(SITE_URL).netloc:
    raise ImproperlyConfigured(f"SITE_URL must be an absolute http(s) address, not {SITE_URL!r}")
CSRF_TRUSTED_ORIGINS = _read("CSRF_TRUSTED_ORIGINS", env.list, default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "csp",
    "django_htmx",
    "template_partials",
    "ninja",  # the API docs page's templates and static files
    "reviews",
    "actions",
    "dashboard",
    "api",
]

MIDDLEWARE = [
    "aar_project.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "aar_project.middleware.PageCompressionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "aar_project.middleware.FirstRunMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "aar_project.middleware.CleanInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "aar_project.urls"
WSGI_APPLICATION = "aar_project.wsgi.application"

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
                "aar_project.context.site",
            ],
        },
    },
    {
        # The plain-text part of every email (aar_project.mail): nothing is HTML-escaped
        # in it, so a link's "&next=" stays a link.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": _read(
        "DATABASE_URL", _database, default=f"sqlite:///{BASE_DIR / 'var' / 'aar.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;"}
    )
elif _read("DB_POOL_SIZE", env.int, default=0) > 0:
    # The ASGI web processes (`make web`): each request (and each push stream while it
    # opens) runs its synchronous part in a thread of its own, so connections are borrowed
    # from a pool of this size per process instead of one per thread (a thousand streams
    # opening at once would otherwise ask PostgreSQL for a thousand connections).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": _read("DB_POOL_SIZE", env.int, default=0),
        "timeout": 10,
    }
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = _read("CONN_MAX_AGE", env.int, default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = _strict_bool("DB_HEALTH_CHECKS", default=False)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, cache, rate limits -------------------------------------------------
REDIS_URL: str = _read("REDIS_URL", env.str, default="")
if REDIS_URL and urlsplit(REDIS_URL).scheme not in {"redis", "rediss"}:
    raise ImproperlyConfigured(
        f"REDIS_URL must start with redis:// or rediss://, not {REDIS_URL!r}"
    )
# Seconds. A silent Redis must not hang a request: the cache gives up after a quarter of a
# second and then leaves Redis alone for a while (aar_project.cache); sending a task gives up
# after half a second, and the sweeper sends it later.
CACHE_SOCKET_TIMEOUT = 0.25
REDIS_SOCKET_TIMEOUT = 0.5

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "aar_project.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "aar",
            "OPTIONS": {
                "socket_timeout": CACHE_SOCKET_TIMEOUT,
                "socket_connect_timeout": CACHE_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Push: open meeting pages hear of changes through Redis pub/sub (reviews.push) ----------
# Served by the ASGI web processes (`make web`); without Redis, or with PUSH_ENABLED=0, the
# pages poll every two seconds instead.
PUSH_ENABLED = _strict_bool("PUSH_ENABLED", default=True)
PUSH_CHANNEL: str = _read("PUSH_CHANNEL", env.str, default="aar:live")

# --- Celery ----------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    # Tasks run for five minutes at most (their time limit): an unacknowledged one (its
    # worker died) is delivered again after that. Exports and emails do not wait for it:
    # the sweeper finds their rows first.
    "visibility_timeout": 330,
}
# A send that fails is not retried in the request: the work is a row the sweeper re-sends.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_DEFAULT_QUEUE: str = _read("CELERY_QUEUE", env.str, default="celery")
CELERY_TIMEZONE = "UTC"
REMINDER_HOUR: int = _read("REMINDER_HOUR", env.int, default=8)
# How long a worker holds an export file, and how often the sweeper looks for work whose
# message was lost or whose worker died: a killed export is made again within a minute.
EXPORT_CLAIM_SECONDS: int = _read("EXPORT_CLAIM_SECONDS", env.int, default=40)
EXPORT_SWEEP_SECONDS: int = _read("EXPORT_SWEEP_SECONDS", env.int, default=15)
# One beat process reads this static schedule. `expires` drops a run that waited too long.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "worker-heartbeat": {
        "task": "aar_project.heartbeat",
        "schedule": float(_read("HEARTBEAT_SECONDS", env.int, default=60)),
        "options": {"expires": 55},
    },
    # Every hour; the task acts at the organisation's reminder hour in its time zone
    # (Organisation settings; REMINDER_HOUR in UTC until staff save them).
    "overdue-action-reminders": {
        "task": "actions.tasks.send_reminders_on_the_hour",
        "schedule": crontab(minute=0),
        "options": {"expires": 50 * 60},
    },
    "account-reminders": {
        "task": "reviews.tasks.send_account_reminders",
        "schedule": 3600.0,
        "options": {"expires": 1800},
    },
    "sweep-pending-work": {
        "task": "reviews.tasks.sweep_pending",
        "schedule": float(EXPORT_SWEEP_SECONDS),
        "options": {"expires": EXPORT_SWEEP_SECONDS - 5},
    },
    # Webhook deliveries whose (next) attempt is due: retries and lost messages.
    "sweep-webhooks": {
        "task": "api.tasks.sweep_webhooks",
        "schedule": float(EXPORT_SWEEP_SECONDS),
        "options": {"expires": EXPORT_SWEEP_SECONDS - 5},
    },
    "overdue-action-webhooks": {
        "task": "api.tasks.queue_overdue_webhooks",
        "schedule": crontab(minute=5, hour=REMINDER_HOUR),
        "options": {"expires": 6 * 3600},
    },
    # Chat receivers: accounts due tomorrow (daily), the overdue digest (Mondays).
    "accounts-due-notices": {
        "task": "api.tasks.queue_accounts_due",
        "schedule": crontab(minute=10, hour=REMINDER_HOUR),
        "options": {"expires": 6 * 3600},
    },
    "overdue-digests": {
        "task": "api.tasks.queue_digests",
        "schedule": crontab(minute=15, hour=REMINDER_HOUR, day_of_week="mon"),
        "options": {"expires": 6 * 3600},
    },
}

# --- Email -----------------------------------------------------------------------------
vars().update(_read("EMAIL_URL", env.email_url, default="consolemail://"))
DEFAULT_FROM_EMAIL: str = _read("DEFAULT_FROM_EMAIL", env.str, default="AAR <aar@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 10
# How long a worker holds an email it is sending before another may try it again.
NOTIFICATION_CLAIM_SECONDS: int = _read("NOTIFICATION_CLAIM_SECONDS", env.int, default=300)
# The dashboard keeps its figures this long for the same teams, filters and day (0: never).
# Any change made in the app to a team's reviews (their actions, agenda and factors too)
# starts fresh figures for that team at once; changes made outside it (the admin, a script)
# wait for this.
DASHBOARD_CACHE_SECONDS: int = _read("DASHBOARD_CACHE_SECONDS", env.int, default=300)

# --- Auth ------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "reviews.auth.EmailBackend",
    "sesame.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reviews:list"
LOGOUT_REDIRECT_URL = "login"
SESAME_MAX_AGE = 15 * 60
SESAME_ONE_TIME = True
SESAME_TOKEN_NAME = "t"  # noqa: S105 - the query parameter's name
SIGN_IN_RATE_LIMIT = (_read("SIGN_IN_RATE_LIMIT", env.int, default=10), 15 * 60)
# How many reverse proxies in front of the app add to X-Forwarded-For (0: none; the address
# the app sees is the client's). Rate limits per address read the client address from it.
TRUSTED_PROXY_COUNT: int = _read("TRUSTED_PROXY_COUNT", env.int, default=0)

# --- Single sign-on with OpenID Connect (mozilla-django-oidc; reviews.sso) --------------
# OIDC_ISSUER turns it on; the provider's endpoints are read from its discovery document
# (/.well-known/openid-configuration) when first needed, never at start-up, so a provider
# that is down slows nothing but its own button.
# As the provider writes it (some end theirs with a slash): tokens name it exactly so.
OIDC_ISSUER: str = _read("OIDC_ISSUER", env.str, default="").strip()
OIDC_ENABLED = bool(OIDC_ISSUER)
OIDC_CLIENT_ID: str = _read("OIDC_CLIENT_ID", env.str, default="")
_oidc_secret_file = _read("OIDC_CLIENT_SECRET_FILE", env.str, default="")
if _oidc_secret_file:
    try:
        OIDC_CLIENT_SECRET = Path(_oidc_secret_file).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"OIDC_CLIENT_SECRET_FILE cannot be read: {exc}") from exc
else:
    OIDC_CLIENT_SECRET = _read("OIDC_CLIENT_SECRET", env.str, default="")
OIDC_PROVIDER_NAME: str = _read("OIDC_PROVIDER_NAME", env.str, default="SSO").strip() or "SSO"
OIDC_ALLOWED_DOMAINS: list[str] = [
    domain.strip().lower().lstrip("@")
    for domain in _read("OIDC_ALLOWED_DOMAINS", env.list, default=[])
    if domain.strip()
]
OIDC_ONLY = _strict_bool("OIDC_ONLY", default=False)
if OIDC_ENABLED:
    if urlsplit(OIDC_ISSUER).scheme not in {"http", "https"} or not urlsplit(OIDC_ISSUER).netloc:
        raise ImproperlyConfigured(
            f"OIDC_ISSUER must be the provider's absolute address, not {OIDC_ISSUER!r}"
        )
    if not OIDC_CLIENT_ID or not OIDC_CLIENT_SECRET:
        raise ImproperlyConfigured(
            "OIDC_ISSUER is set: set OIDC_CLIENT_ID and OIDC_CLIENT_SECRET "
            "(or OIDC_CLIENT_SECRET_FILE) too."
        )
elif OIDC_ONLY:
    raise ImproperlyConfigured("OIDC_ONLY=1 needs OIDC_ISSUER (and its client) to be set.")
# mozilla-django-oidc's own names (the endpoints come from discovery: reviews.sso).
OIDC_RP_CLIENT_ID = OIDC_CLIENT_ID
OIDC_RP_CLIENT_SECRET = OIDC_CLIENT_SECRET
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_STORE_ID_TOKEN = True  # the hint for the provider's end-session endpoint at sign-out
OIDC_TIMEOUT = 4  # seconds per call to the provider: the page says so within 5 s
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
AUTHENTICATION_BACKENDS.append("reviews.sso.SSOBackend")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- The API (api/) ---------------------------------------------------------------------
# Requests per personal access token per minute; more are answered 429 with Retry-After.
API_RATE_LIMIT: int = _read("API_RATE_LIMIT", env.int, default=120)
if API_RATE_LIMIT < 1:
    raise ImproperlyConfigured(f"API_RATE_LIMIT must be at least 1, not {API_RATE_LIMIT}")

# Outgoing webhooks: seconds a receiver may take to connect and to answer (each), and
# whether addresses that are not public (loopback, private networks) may receive them.
WEBHOOK_TIMEOUT: float = _read("WEBHOOK_TIMEOUT", env.float, default=5.0)
if not 0 < WEBHOOK_TIMEOUT <= 20:
    raise ImproperlyConfigured(
        f"WEBHOOK_TIMEOUT must be between 0 and 20 seconds, not {WEBHOOK_TIMEOUT}"
    )
WEBHOOK_ALLOW_PRIVATE: bool = _strict_bool("WEBHOOK_ALLOW_PRIVATE", default=False)

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE: str = _read("TIME_ZONE", env.str, default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(_read("STATIC_ROOT", env.str, default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
EXPORT_ROOT = Path(_read("EXPORT_ROOT", env.str, default=str(BASE_DIR / "var" / "exports")))

# --- Security --------------------------------------------------------------------------
# Sessions are read from the cache (Redis in production) and written through to the database,
# so the meeting poll can answer without a session query.
# Sessions live in the database only: signing in never depends on Redis.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_https = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _strict_bool("SESSION_COOKIE_SECURE", default=_https)
CSRF_COOKIE_SECURE = _strict_bool("CSRF_COOKIE_SECURE", default=_https)
SECURE_SSL_REDIRECT = _strict_bool("SECURE_SSL_REDIRECT", default=_https)
SECURE_HSTS_SECONDS = _read("SECURE_HSTS_SECONDS", env.int, default=31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _strict_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_https)
SECURE_HSTS_PRELOAD = _strict_bool("SECURE_HSTS_PRELOAD", default=False)
if _strict_bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is an explicit, irreversible choice left to the operator.
    "security.W021",
]
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

_OIDC_ORIGIN = (
    f"{urlsplit(OIDC_ISSUER).scheme}://{urlsplit(OIDC_ISSUER).netloc}" if OIDC_ENABLED else ""
)
# Content-Security-Policy: nonces for our own scripts, no inline or eval anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        # Signing out may end the provider's session too: a redirect from the form's POST.
        "form-action": [SELF, *([_OIDC_ORIGIN] if OIDC_ENABLED else [])],
        "frame-ancestors": [NONE],
    }
}

# --- Logging: one line per request on stdout, tokens redacted ---------------------------
LOG_LEVEL: str = _read("LOG_LEVEL", env.str, default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Our request log replaces Django's; it never prints query strings.
        "django.request": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
    },
}
