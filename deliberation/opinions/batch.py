"""Votes on statements, taken on the event loop and stored a room's batch at a time.

A vote frame is checked for its fields on the loop, then waits in its room's buffer. Every
FLUSH_SECONDS the room's buffered votes are stored in one transaction on the pooled
actions' thread (``services.opinion_votes_store``: each vote checked against the database,
one upsert where a person's last vote on a statement wins). Each vote is acknowledged
only after that transaction commits; a refused vote gets its own error, and a batch that
fails answers every vote in it with the error the room gives a failed action (retryable).
So a busy room's votes cost the database one short transaction per FLUSH_SECONDS instead of
one per vote, and never take the room's own database thread from its posts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

from channels.db import database_sync_to_async

from deliberation.live.actions import ActionError, field_int

from . import selectors

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.15


@dataclasses.dataclass(frozen=True)
class _Vote:
    person_id: int
    statement_id: int
    value: int
    answer: asyncio.Future[int]


_buffers: dict[int, list[_Vote]] = {}
_flushing: set[asyncio.Task[None]] = set()


def value_of(payload: dict[str, Any]) -> int:
    """The vote's value: ``agree`` / ``disagree`` / ``pass`` (or 1 / -1 / 0)."""
    from django.utils.translation import gettext as _

    value = payload.get("value")
    if isinstance(value, str) and value in selectors.VALUES_BY_NAME:
        return selectors.VALUES_BY_NAME[value]
    if isinstance(value, int) and not isinstance(value, bool) and value in (-1, 0, 1):
        return value
    raise ActionError(
        "bad_field", _("'value' 값은 agree, disagree, pass 중 하나여야 합니다."), field="value"
    )


async def vote(user_id: int, session_id: int, payload: dict[str, Any]) -> dict[str, Any]:
    """The ``opinion.vote`` action on the event loop: the ack once the vote is stored."""
    statement_id = field_int(payload, "statement_id")
    assert statement_id is not None
    value = value_of(payload)
    stored = await submit(session_id, user_id, statement_id, value)
    return {"statement_id": statement_id, "value": selectors.VALUE_NAMES[stored]}


def submit(session_id: int, person_id: int, statement_id: int, value: int) -> asyncio.Future[int]:
    """Buffer one vote; the future holds its stored value (or its error) after the commit."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[int] = loop.create_future()
    pending = _buffers.get(session_id)
    if pending is None:
        pending = _buffers[session_id] = []
        loop.call_later(FLUSH_SECONDS, _start_flush, session_id)
    pending.append(_Vote(person_id, statement_id, value, answer))
    return answer


def _start_flush(session_id: int) -> None:
    task = asyncio.get_running_loop().create_task(flush(session_id))
    _flushing.add(task)  # held until done, so that it is not collected mid-way
    task.add_done_callback(_flushing.discard)


def _store(session_id: int, votes: list[tuple[int, int, int]]) -> list[int | ActionError]:
    from .services import opinion_votes_store

    return opinion_votes_store(session_id=session_id, votes=votes)


async def flush(session_id: int) -> None:
    """Store the room's buffered votes now and answer each of them."""
    from deliberation.live.consumers import _pooled_executor

    pending = _buffers.pop(session_id, [])
    if not pending:
        return
    try:
        outcomes = await database_sync_to_async(
            _store, thread_sensitive=False, executor=_pooled_executor()
        )(session_id, [(v.person_id, v.statement_id, v.value) for v in pending])
    except Exception as exc:  # noqa: BLE001 - each waiting sender gets it (retryable)
        # Nothing was stored: every sender is told to send again.
        log.warning("room %s: %d votes not stored: %r", session_id, len(pending), exc)
        for item in pending:
            if not item.answer.done():
                item.answer.set_exception(exc)
        return
    for item, outcome in zip(pending, outcomes, strict=True):
        if item.answer.done():  # the sender stopped waiting (timeout, closed socket)
            continue
        if isinstance(outcome, ActionError):
            item.answer.set_exception(outcome)
        else:
            item.answer.set_result(outcome)
