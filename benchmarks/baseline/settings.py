"""Settings of the stock chat room: the tutorial's, with the channel layer from the environment."""

from __future__ import annotations

import os

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "channels",
]

ASGI_APPLICATION = "benchmarks.baseline.asgi.application"
ROOT_URLCONF = "benchmarks.baseline.urls"

# Nothing is stored: the tutorial's chat keeps no history. The auth stack needs a
# database configured, but a connection without a session cookie never opens it.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")],
            "prefix": os.environ.get("BASELINE_CHANNEL_PREFIX", "asgi"),
        },
    }
}

USE_TZ = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
