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
from django.db import transaction
from django.db.models import F

from deliberation.agendas.models import Session

from .events import Event, encode
from .models import RoomEvent

log = logging.getLogger(__name__)

BROADCAST = "room.broadcast"


def room_group(session_id: int) -> str:
    """Group of every socket in one session's room (ASCII, well under 100 characters)."""
    return f"room.{int(session_id)}"


def staff_group(session_id: int) -> str:
    """Group of the facilitators' sockets in one room: reports, pending statements."""
    return f"room.{int(session_id)}.staff"


def user_group(session_id: int, user_id: int) -> str:
    """Group of one person's sockets in one room: acks to other tabs, removal, bans."""
    return f"room.{int(session_id)}.user.{int(user_id)}"


def next_seq(session_id: int) -> int:
    """Take the room's next sequence number; the row stays locked until commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_seq must run inside transaction.atomic")
    updated = Session.objects.filter(pk=session_id).update(last_seq=F("last_seq") + 1)
    if not updated:
        raise Session.DoesNotExist(session_id)
    return int(Session.objects.values_list("last_seq", flat=True).get(pk=session_id))


def room_append(*, session_id: int, event: Event) -> int:
    """Store ``event`` as the room's next numbered event and broadcast it after commit."""
    seq = next_seq(session_id)
    data = event.to_dict()
    RoomEvent.objects.create(session_id=session_id, seq=seq, type=event.type, payload=data)
    data["seq"] = seq
    text = encode(data)
    transaction.on_commit(lambda: publish(room_group(session_id), text))
    return seq


def staff_notify(*, session_id: int, event: Event) -> None:
    """Tell the room's facilitators (unnumbered; their console reloads state on reconnect)."""
    text = encode(event.to_dict())
    transaction.on_commit(lambda: publish(staff_group(session_id), text))


def user_notify(*, session_id: int, user_id: int, event: Event) -> None:
    """Tell every socket of one person in one room, after commit."""
    text = encode(event.to_dict())
    transaction.on_commit(lambda: publish(user_group(session_id, user_id), text))


def publish(group: str, text: str, **extra: Any) -> None:
    """Hand an encoded event to the channel layer; a lost publish is healed by resume."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": BROADCAST, "text": text, **extra})
    except Exception:  # noqa: BLE001 - stored already; clients close the gap by resume
        log.exception("publish to %s failed; clients will resume from the database", group)
