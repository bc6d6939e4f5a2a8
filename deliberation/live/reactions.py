"""Coalesced reaction counts: at most one ``reactions`` message per room every 250 ms.

A click commits a Reaction row and marks its statement dirty here; the process that took
the click publishes fresh counts (absolute numbers, read from the database) once per
interval, so a burst of 200 clicks costs a handful of messages, not 200.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from . import broadcast, events
from .selectors import reaction_counts

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.25

_loop: asyncio.AbstractEventLoop | None = None
_dirty: dict[int, set[int]] = {}
_scheduled: set[int] = set()


def bind_loop(loop: asyncio.AbstractEventLoop) -> None:
    """The serving event loop (set by the room hub) that runs the coalescing timers."""
    global _loop
    if loop is not _loop:
        _dirty.clear()
        _scheduled.clear()
    _loop = loop


def mark_changed(session_id: int, statement_id: int) -> None:
    """After a reaction commits (any thread): schedule a coalesced count update."""
    loop = _loop
    if loop is None or loop.is_closed() or not loop.is_running():
        _publish_now(session_id, {statement_id})
        return
    # A fresh context: the caller's (a sync_to_async worker's) must not leak into the loop.
    loop.call_soon_threadsafe(_mark, session_id, statement_id, context=contextvars.Context())


def _mark(session_id: int, statement_id: int) -> None:
    _dirty.setdefault(session_id, set()).add(statement_id)
    if session_id in _scheduled:
        return
    _scheduled.add(session_id)
    assert _loop is not None
    _loop.call_later(FLUSH_SECONDS, lambda: asyncio.ensure_future(_flush(session_id)))


async def _flush(session_id: int) -> None:
    _scheduled.discard(session_id)
    ids = _dirty.pop(session_id, set())
    if not ids:
        return
    try:
        counts = await database_sync_to_async(reaction_counts)(ids)
        text = events.encode(events.Reactions(counts=counts).to_dict())
        layer = get_channel_layer()
        if layer is not None:
            await layer.group_send(
                broadcast.room_group(session_id),
                {"type": broadcast.BROADCAST, "text": text, "to": "room"},
            )
    except Exception:
        log.exception(
            "reaction counts for room %s not sent; the next change sends them", session_id
        )


def _publish_now(session_id: int, ids: set[int]) -> None:
    text = events.encode(events.Reactions(counts=reaction_counts(ids)).to_dict())
    broadcast.publish(broadcast.room_group(session_id), text, to="room")
