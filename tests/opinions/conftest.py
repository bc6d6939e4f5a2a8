"""The live room's test fixtures, for the opinion map's room tests."""

from tests.live.conftest import (  # noqa: F401 - fixtures
    _close_worker_thread_connections,
    live_session,
    room,
    room_facilitator,
)
