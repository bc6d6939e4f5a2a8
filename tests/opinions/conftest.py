"""The live room's test fixtures, for the opinion map's room tests."""

from collections.abc import Iterator

import pytest

from tests.live.conftest import (  # noqa: F401 - fixtures
    _close_worker_thread_connections,
    live_session,
    room,
    room_facilitator,
)


@pytest.fixture(scope="session", autouse=True)
def _close_pooled_thread_connections(django_db_setup: None) -> Iterator[None]:
    """Votes reach the database from the pooled actions' thread; close its connection
    before the test database is dropped."""
    yield
    from django.db import connections

    from deliberation.live import consumers

    if consumers._pooled is not None:
        consumers._pooled.submit(connections.close_all).result(timeout=10)
