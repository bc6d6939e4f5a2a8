"""Settings for Madang, read from the environment only.

With nothing set, the embedded default runs: SQLite in ``data/``, an in-memory
channel layer, a secret key generated on first run and kept in ``data/``.
"""

from __future__ import annotations

import datetime
import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = Path(environ.Env().str("MADANG_DATA_DIR", default=str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()


def _local_secret_key() -> str:
    """Generate the secret key once and keep it beside the local database."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _local_secret_key()
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
if "*" in ALLOWED_HOSTS:
    raise environ.ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name hosts; '*' is refused.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "axes",
    "deliberation.people",
    "deliberation.agendas",
    "deliberation.live",
    "deliberation.structured",
    "deliberation.analysis",
    "deliberation.digests",
    "deliberation.personal_data",
    "deliberation.api",
    "deliberation.opinions",
    "deliberation.screening",
    "deliberation.programmes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "deliberation.people.middleware.ResidentCookieMiddleware",
    "deliberation.people.devices.DeviceCookieMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "madang.urls"
ASGI_APPLICATION = "madang.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "deliberation.people.context_processors.participant",
            ],
        },
    },
]

# Separate test databases for runs that share a machine (MADANG_TEST_RUN=name).
TEST_RUN = env.str("MADANG_TEST_RUN", default="main")

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'madang.sqlite3'}")
}
DATABASES["default"].setdefault("CONN_MAX_AGE", 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (Daphne's thread pool) share one file: wait for the lock
    # instead of failing, and take the write lock at BEGIN so a transaction
    # never has to upgrade its lock halfway through.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(DATA_DIR / f"test-{TEST_RUN}.sqlite3")
else:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = f"test_madang_{TEST_RUN}"

REDIS_URL = env.str("REDIS_URL", default="")
CHANNEL_KEY_PREFIX = env.str("MADANG_CHANNEL_PREFIX", default="madang")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub publishes once per group whatever its size; Madang keeps one
            # subscriber per room per process and fans out locally (see live.hub).
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": CHANNEL_KEY_PREFIX},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Korean text analysis (deliberation.analysis): the tagger ("okt", or "fallback" where
# there is no Java) and how queued texts get analysed ("worker": a worker process per
# server process; "queue": only queued, for a separate `manage.py analysis_worker`).
MADANG_ANALYZER = env.str("MADANG_ANALYZER", default="okt")
MADANG_ANALYSIS_MODE = env.str("MADANG_ANALYSIS_MODE", default="worker")
# Words whose Okt tags are kept in the database (analysis.TaggedWord) so that a word is
# tagged once across processes; beyond this many rows the least recently used go.
MADANG_TAGGED_WORDS_MAX = env.int("MADANG_TAGGED_WORDS_MAX", default=200_000)
# The event loop's lag, sampled in every server process (deliberation.live.looplag): the
# sampling interval in seconds (0 turns the probe off), the lag logged as a stall, and the
# bearer token for /ops/metrics (unset: the page does not exist).
MADANG_LOOP_LAG_INTERVAL = env.float("MADANG_LOOP_LAG_INTERVAL", default=0.1)
MADANG_LOOP_LAG_WARN_MS = env.float("MADANG_LOOP_LAG_WARN_MS", default=250.0)
MADANG_METRICS_TOKEN = env.str("MADANG_METRICS_TOKEN", default="")
# Joins a server process works on at once, joins waiting their turn beyond those, and
# how long one waits (seconds); a socket beyond them is told to come back later (1013).
MADANG_JOIN_CONCURRENCY = env.int("MADANG_JOIN_CONCURRENCY", default=4)
MADANG_JOIN_QUEUE = env.int("MADANG_JOIN_QUEUE", default=200)
MADANG_JOIN_WAIT_SECONDS = env.float("MADANG_JOIN_WAIT_SECONDS", default=10.0)
# Freeze what survives a full garbage collection (deliberation.live.looplag), and hand it
# back to the collector this often (seconds).
MADANG_GC_FREEZE = env.bool("MADANG_GC_FREEZE", default=False)
MADANG_GC_UNFREEZE_SECONDS = env.float("MADANG_GC_UNFREEZE_SECONDS", default=600.0)

# Background work (digest builds, webhook deliveries) is queued in the database and run
# by `manage.py task_worker` (started by `make run`; its own service in docker compose).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Seconds a build's heartbeat or a delivery's attempt may lapse before the worker's
# recovery sweep takes it as interrupted (its worker died) and runs it again.
MADANG_TASK_STALE_SECONDS = env.float("MADANG_TASK_STALE_SECONDS", default=120.0)

AUTH_USER_MODEL = "people.User"
# django-axes first: it refuses a locked-out account or address before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
if env.bool("MADANG_TEST_FAST_HASHER", default=False):
    # Only for server processes started by the test suite, whose factories hash with MD5.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Served over HTTPS (behind the Caddy proxy, which terminates TLS and sets
# X-Forwarded-Proto): secure cookies, HSTS, and requests known to be HTTPS.
HTTPS = env.bool("MADANG_HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS or env.bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("MADANG_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy on every response: scripts, styles and connections from this
# site only (WebSockets included), no inline script or style, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Residents join with a nickname and region, held by this signed cookie.
RESIDENT_COOKIE_NAME = "madang_resident"
RESIDENT_COOKIE_MAX_AGE = 60 * 60 * 24 * 30
# One browser's signed id (people.devices): long-lived, HttpOnly, SameSite=Lax.
DEVICE_COOKIE_NAME = "madang_device"
DEVICE_COOKIE_MAX_AGE = 60 * 60 * 24 * 400

# Sign-in throttling (django-axes). Failures are kept in the database, so every server
# process sees the same count and the same lockout. Locked per account and per address;
# the lock lifts after the cool-off, or an administrator lifts it (admin "Access
# attempts", or `manage.py axes_reset_username NAME` / `axes_reset_ip ADDRESS`).
AXES_ENABLED = env.bool("MADANG_SIGNIN_THROTTLE", default=True)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("MADANG_SIGNIN_FAILURE_LIMIT", default=10)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("MADANG_SIGNIN_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "deliberation.people.views.signin_locked_out"
AXES_USERNAME_CALLABLE = "deliberation.people.views.signin_username"
AXES_VERBOSE = False
# Behind the proxy (docker-compose's Caddy) the client is the last X-Forwarded-For hop.
AXES_IPWARE_PROXY_COUNT = env.int("MADANG_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)

# Quick-join limits (people.limits): (new identities, per seconds).
MADANG_JOIN_LIMIT_ADDRESS = (
    env.int("MADANG_JOIN_LIMIT_ADDRESS", default=240),
    env.int("MADANG_JOIN_LIMIT_WINDOW", default=600),
)
MADANG_JOIN_LIMIT_VENUE_ADDRESS = (
    env.int("MADANG_JOIN_LIMIT_VENUE_ADDRESS", default=2000),
    env.int("MADANG_JOIN_LIMIT_WINDOW", default=600),
)
MADANG_JOIN_LIMIT_DEVICE = (env.int("MADANG_JOIN_LIMIT_DEVICE", default=5), 3600)
# Wrong venue codes per browser and per address before a pause.
MADANG_VENUE_CODE_TRIES = (env.int("MADANG_VENUE_CODE_TRIES", default=20), 600)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "limits": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{CHANNEL_KEY_PREFIX}-limits",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limits"}
    ),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("MADANG_LOG_LEVEL", default="WARNING")},
}

# Static files are served by WhiteNoise from the finders: nothing to collect first.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Personal information (deliberation.personal_data). The controller is whoever runs this
# deployment (the ministry or a municipality); the privacy notice shows these values, and
# the retention periods (days) drive `manage.py purge_personal_data`.
PRIVACY_CONTROLLER = env.str("MADANG_PRIVACY_CONTROLLER", default="외교부")
PRIVACY_CONTROLLER_EN = env.str(
    "MADANG_PRIVACY_CONTROLLER_EN", default="Ministry of Foreign Affairs"
)
PRIVACY_OFFICER = env.str("MADANG_PRIVACY_OFFICER", default="")
PRIVACY_OFFICER_EN = env.str("MADANG_PRIVACY_OFFICER_EN", default="")
PRIVACY_CONTACT = env.str("MADANG_PRIVACY_CONTACT", default="")
PERSONAL_DATA_RETENTION_DAYS = {
    "device_links": env.int("MADANG_RETAIN_DEVICE_LINK_DAYS", default=180),
    "quick_join_identities": env.int("MADANG_RETAIN_QUICK_JOIN_DAYS", default=180),
    "resident_accounts": env.int("MADANG_RETAIN_ACCOUNT_DAYS", default=730),
    "notifications": env.int("MADANG_RETAIN_NOTIFICATION_DAYS", default=365),
    "reports": env.int("MADANG_RETAIN_REPORT_DAYS", default=365),
    "expired_signins": env.int("MADANG_RETAIN_EXPIRED_SIGNIN_DAYS", default=1),
    "ip_addresses": env.int("MADANG_RETAIN_IP_DAYS", default=7),
    "signin_attempts": env.int("MADANG_RETAIN_SIGNIN_ATTEMPT_DAYS", default=7),
    "device_bans": env.int("MADANG_RETAIN_DEVICE_BAN_DAYS", default=365),
}
