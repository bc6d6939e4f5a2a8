"""The opinion map while a session runs, kept off the hot path.

A vote commits and tells this process's event loop. Vote counts go out coalesced to the
room's staff (one ``opinion.counts`` per room every 250 ms, read fresh from the database,
as reactions do; phones show no counts, so residents are not sent them). The map is
computed again at most every REFRESH_SECONDS per room, in a worker thread (never on the
event loop, never on the room's one database thread), and once more when the session
closes (``hooks``).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os

from asgiref.sync import SyncToAsync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from deliberation.live import broadcast
from deliberation.live.events import encode

log = logging.getLogger(__name__)

COUNTS_SECONDS = 0.25
REFRESH_SECONDS = 3.0

_dirty: dict[int, set[int]] = {}
_counts_scheduled: set[int] = set()
_refresh_scheduled: set[int] = set()
_last_refresh: dict[int, float] = {}


def _main_loop() -> asyncio.AbstractEventLoop | None:
    """The server's event loop when this thread runs on its behalf (sync_to_async)."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop  # type: ignore[no-any-return]


def votes_changed(session_id: int, statement_id: int) -> None:
    """After a vote commits (any thread): counts soon, the map within seconds."""
    loop = _main_loop()
    if loop is None:
        # No server loop (a management command, a plain test): counts now; the map is
        # computed at the close or by ``opinion_map_refresh``.
        _publish_counts_now(session_id, {statement_id})
        return
    # A fresh context: the worker thread's own must not leak into the loop's tasks.
    loop.call_soon_threadsafe(_mark, loop, session_id, statement_id, context=contextvars.Context())


def votes_changed_many(session_id: int, statement_ids: list[int]) -> None:
    """After a batch of votes commits: as ``votes_changed``, one call to the loop."""
    loop = _main_loop()
    if loop is None:
        _publish_counts_now(session_id, set(statement_ids))
        return
    loop.call_soon_threadsafe(
        _mark_many, loop, session_id, statement_ids, context=contextvars.Context()
    )


def refresh_later(session_id: int) -> None:
    """Ask for another computation of a room's map after the usual pause."""
    loop = _main_loop()
    if loop is not None:
        loop.call_soon_threadsafe(
            _schedule_refresh, loop, session_id, context=contextvars.Context()
        )


def _mark(loop: asyncio.AbstractEventLoop, session_id: int, statement_id: int) -> None:
    _dirty.setdefault(session_id, set()).add(statement_id)
    if session_id not in _counts_scheduled:
        _counts_scheduled.add(session_id)
        loop.call_later(COUNTS_SECONDS, lambda: loop.create_task(_flush_counts(session_id)))
    _schedule_refresh(loop, session_id)


def _mark_many(loop: asyncio.AbstractEventLoop, session_id: int, statement_ids: list[int]) -> None:
    for statement_id in statement_ids:
        _mark(loop, session_id, statement_id)


def _schedule_refresh(loop: asyncio.AbstractEventLoop, session_id: int) -> None:
    if session_id in _refresh_scheduled:
        return
    _refresh_scheduled.add(session_id)
    due = _last_refresh.get(session_id, float("-inf")) + REFRESH_SECONDS
    delay = max(COUNTS_SECONDS, due - loop.time())
    loop.call_later(delay, lambda: loop.create_task(_refresh(loop, session_id)))


async def _flush_counts(session_id: int) -> None:
    from .selectors import counts_for

    _counts_scheduled.discard(session_id)
    ids = _dirty.pop(session_id, set())
    if not ids:
        return
    try:
        from deliberation.live.consumers import _pooled_executor

        # On the votes' own thread: the room's database thread is its posts'.
        counts = await database_sync_to_async(
            counts_for, thread_sensitive=False, executor=_pooled_executor()
        )(session_id, ids)
        text = encode(_counts_event(counts))
        layer = get_channel_layer()
        if layer is not None:
            await layer.group_send(
                broadcast.room_group(session_id),
                {"type": broadcast.BROADCAST, "text": text, "to": "staff"},
            )
    except Exception:  # the counts are stored; the next vote or snapshot carries them
        log.exception("vote counts of room %s not sent", session_id)


async def _refresh(loop: asyncio.AbstractEventLoop, session_id: int) -> None:
    from .services import opinion_map_refresh

    _refresh_scheduled.discard(session_id)
    _last_refresh[session_id] = loop.time()
    try:
        # Its own thread and database connection: the room's actions keep theirs.
        await database_sync_to_async(opinion_map_refresh, thread_sensitive=False)(
            session_id=session_id
        )
    except Exception:
        log.exception("opinion map of room %s not computed; the next vote tries again", session_id)


def _counts_event(counts: dict[str, list[int]]) -> dict[str, object]:
    from .events import OpinionCounts

    return OpinionCounts(counts=counts).to_dict()


def _publish_counts_now(session_id: int, ids: set[int]) -> None:
    from .selectors import counts_for

    text = encode(_counts_event(counts_for(session_id, ids)))
    broadcast.publish(broadcast.room_group(session_id), text, to="staff")
