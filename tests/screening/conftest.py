"""Screening tests reuse the live room's fixtures (a live session, its facilitator)."""

from tests.live.conftest import (  # noqa: F401
    _close_worker_thread_connections,
    live_session,
    room,
    room_facilitator,
)
