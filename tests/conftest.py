"""Shared fixtures: factories, and the real Redis when REDIS_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_factoryboy import register

from tests import factories

register(factories.OrganisationFactory, "organisation")
register(factories.ResidentFactory, "resident")
register(factories.FacilitatorFactory, "facilitator")
register(factories.MinistryStaffFactory, "ministry_staff")
register(factories.AdminFactory, "admin_user")
register(factories.AgendaFactory, "agenda")
register(factories.SessionFactory, "session")

REDIS_URL = os.environ.get("REDIS_URL", "")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def redis_channel_layer(settings: Any) -> Iterator[dict[str, Any]]:
    """Switch the channel layer to the real Redis with a random prefix, or skip."""
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    from channels.layers import channel_layers

    config = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"t{uuid.uuid4().hex[:10]}"},
        }
    }
    settings.CHANNEL_LAYERS = config
    channel_layers.backends.clear()
    yield config
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Factories set a password for every person; slow hashing adds minutes, no meaning.

    Server processes the tests start get MADANG_TEST_FAST_HASHER=1, which gives them the
    same hasher so these passwords still sign in there.
    """
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _fresh_channel_layers() -> Iterator[None]:
    """Every test gets its own in-memory layer: no message leaks between tests."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _analysis_queue_mode(settings: Any) -> None:
    """Statements written in tests are queued for analysis, never handed to a JVM worker;
    tests that need the analysis call ``analysis_drain()`` (deliberation.analysis.api)."""
    settings.MADANG_ANALYSIS_MODE = "queue"


@pytest.fixture(autouse=True)
def _no_loop_lag_probe(settings: Any) -> None:
    """In-process tests run the application on short-lived loops: no probe task is left
    on them (tests/live/test_looplag.py turns it on; server processes always have it)."""
    settings.MADANG_LOOP_LAG_INTERVAL = 0


@pytest.fixture(autouse=True)
def _fresh_join_gate() -> Iterator[None]:
    """Each test's loop gets its own join gate (its semaphore belongs to one loop)."""
    from deliberation.live import joingate

    joingate.reset()
    yield
    joingate.reset()


@pytest.fixture(autouse=True)
def _fresh_join_limits(settings: Any) -> None:
    """Quick-join and venue-code limits count per address: every test starts from zero,
    in its own in-process cache (never a flush of the shared Redis)."""
    settings.CACHES = {
        **settings.CACHES,
        "limits": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"limits-{uuid.uuid4().hex}",
        },
    }
