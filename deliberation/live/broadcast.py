"""Storing and publishing room events. Only services call this, inside a transaction.

``room_append`` takes the room's next sequence number under the session row's lock
(an atomic increment in the same transaction as the insert, so numbers follow commit
order), stores the event, and publishes it only after the commit: a client never
learns of something that was not stored. The payload is encoded once per room.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction

from deliberation.agendas.models import Session

from .events import Event, encode
from .models import RoomEvent

log = logging.getLogger(__name__)

BROADCAST = "room.broadcast"


def room_group(session_id: int) -> str:
    """Group of one session's room (ASCII, well under 100 characters).

    Each server process holds ONE subscription to it (the room hub) and fans out to its
    local sockets; staff notices and per-person messages travel on the same group with
    an audience (``to``) the hub filters on, so a room costs one subscription per process.
    """
    return f"room.{int(session_id)}"


def staff_group(session_id: int) -> str:
    """Name of the facilitators' audience in one room (logs and metrics)."""
    return f"room.{int(session_id)}.staff"


def user_group(session_id: int, user_id: int) -> str:
    """Name of one person's audience in one room (logs and metrics)."""
    return f"room.{int(session_id)}.user.{int(user_id)}"


def next_seq(session_id: int) -> int:
    """Take the room's next sequence number; the row stays locked until commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_seq must run inside transaction.atomic")
    # One round trip (UPDATE ... RETURNING: PostgreSQL, SQLite >= 3.35): the room's row
    # is locked from here to the commit, so keep what follows short.
    table = connection.ops.quote_name(Session._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq",  # noqa: S608
            [int(session_id)],
        )
        row = cursor.fetchone()
    if row is None:
        raise Session.DoesNotExist(session_id)
    return int(row[0])


def room_append(*, session_id: int, event: Event, seq: int | None = None) -> int:
    """Store ``event`` as the room's next numbered event and broadcast it after commit.

    ``seq`` is a number already taken with ``next_seq`` in this transaction (when the
    event's payload must carry it, e.g. a statement's own ``seq``).
    """
    if seq is None:
        seq = next_seq(session_id)
    data = event.to_dict()
    RoomEvent.objects.create(session_id=session_id, seq=seq, type=event.type, payload=data)
    data["seq"] = seq
    text = encode(data)
    transaction.on_commit(lambda: publish(room_group(session_id), text, seq=seq, to="room"))
    return seq


def staff_notify(*, session_id: int, event: Event) -> None:
    """Tell the room's facilitators (unnumbered; their console reloads state on reconnect)."""
    text = encode(event.to_dict())
    transaction.on_commit(lambda: publish(room_group(session_id), text, to="staff"))


def user_notify(*, session_id: int, user_id: int, event: Event) -> None:
    """Tell every socket of one person in one room, after commit."""
    text = encode(event.to_dict())
    # A ``kicked`` message closes that person's sockets once it is written.
    close = 4003 if event.type == "kicked" else None
    transaction.on_commit(
        lambda: publish(room_group(session_id), text, to="user", user_id=int(user_id), close=close)
    )


def room_notify(*, session_id: int, event: Event) -> None:
    """Tell everyone in the room something unnumbered (not stored, not replayed)."""
    text = encode(event.to_dict())
    transaction.on_commit(lambda: publish(room_group(session_id), text, to="room"))


def access_recheck(*, session_id: int, user_id: int | None = None) -> None:
    """After commit, make every server re-check access of one person (or everyone) in a room."""
    transaction.on_commit(
        lambda: publish(room_group(session_id), "", to="recheck", user_id=user_id)
    )


def publish(group: str, text: str, **extra: Any) -> None:
    """Hand an encoded event to the channel layer; a lost publish is healed by resume."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": BROADCAST, "text": text, **extra})
    except Exception:  # stored already; clients close the gap by resume
        log.exception("publish to %s failed; clients will resume from the database", group)
