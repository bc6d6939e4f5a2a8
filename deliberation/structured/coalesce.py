"""Live poll counts, coalesced: at most one ``poll.results`` per poll every INTERVAL seconds.

A vote commits, then asks the event loop of the process for a flush; votes that commit
while a flush is pending ride on it, and the flush reads the counts fresh from the
database, so the last vote is never lost. The message is unnumbered (not stored):
``poll.closed`` and every snapshot carry the stored truth.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os

from asgiref.sync import SyncToAsync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from deliberation.live.broadcast import BROADCAST, publish, room_group
from deliberation.live.events import encode

from . import events, selectors

log = logging.getLogger(__name__)

INTERVAL = 0.3
_last: dict[int, float] = {}
_scheduled: set[int] = set()


def _results_text(poll_id: int) -> str:
    voters, counts = selectors.poll_counts(poll_id)
    return encode(events.PollResults(poll_id=poll_id, voters=voters, counts=counts).to_dict())


def _main_loop() -> asyncio.AbstractEventLoop | None:
    """The server's event loop when this thread runs on its behalf (sync_to_async)."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop  # type: ignore[no-any-return]


def schedule_poll_results(session_id: int, poll_id: int) -> None:
    """After commit, publish the poll's counts soon (called inside the vote's transaction)."""
    transaction.on_commit(lambda: _after_commit(session_id, poll_id))


def _after_commit(session_id: int, poll_id: int) -> None:
    loop = _main_loop()
    if loop is None:
        # No server loop to wait on (a management command, a plain test): send now.
        publish(room_group(session_id), _results_text(poll_id))
        return
    # A fresh context: the worker thread's own (asgiref's executor markers) must not leak
    # into the loop's task, or its database call would think it deadlocks.
    loop.call_soon_threadsafe(_request, loop, session_id, poll_id, context=contextvars.Context())


def _request(loop: asyncio.AbstractEventLoop, session_id: int, poll_id: int) -> None:
    if poll_id in _scheduled:
        return
    _scheduled.add(poll_id)
    delay = max(0.0, _last.get(poll_id, float("-inf")) + INTERVAL - loop.time())
    loop.call_later(delay, lambda: loop.create_task(_flush(loop, session_id, poll_id)))


async def _flush(loop: asyncio.AbstractEventLoop, session_id: int, poll_id: int) -> None:
    # Unmark first: a vote committing from here on schedules the next flush.
    _scheduled.discard(poll_id)
    _last[poll_id] = loop.time()
    try:
        text = await database_sync_to_async(_results_text)(poll_id)
        layer = get_channel_layer()
        if layer is not None:
            await layer.group_send(room_group(session_id), {"type": BROADCAST, "text": text})
    except Exception:  # counts are in the database and the next snapshot
        log.exception("poll results for poll %s were not published", poll_id)
