"""The room hub: events in sequence order once each, gaps filled from the database,
and a client that stops reading is dropped instead of growing the server's memory."""

from __future__ import annotations

import functools
from typing import Any

import orjson
from channels.db import database_sync_to_async

from deliberation.live import broadcast, consumers, events
from deliberation.live.hub import RoomHub
from deliberation.live.models import RoomEvent
from tests.live.conftest import Room


class FakeSocket:
    """Stands in for a RoomSocket that is not under Daphne (no transport to write to)."""

    def __init__(self, user_id: int = 1, staff: bool = False) -> None:
        self.user_id = user_id
        self.staff = staff
        self.screen = False
        self.active = True
        self.closed = False
        self.base_send = None
        self.got: list[tuple[str, int | None]] = []

    async def push(self, text: str, seq: int | None = None) -> None:
        self.got.append((text, seq))


def _text(seq: int) -> str:
    return events.encode({"type": "queue.changed", "queue": [], "seq": seq})


async def test_events_arriving_out_of_order_are_delivered_in_order(room: Room) -> None:
    hub = RoomHub(room.session.pk)
    hub.expected = 1
    socket = FakeSocket()
    hub.add(socket)  # type: ignore[arg-type]
    await hub.numbered(2, _text(2))
    assert socket.got == []  # held: 1 has not arrived yet
    await hub.numbered(1, _text(1))
    await hub.numbered(2, _text(2))  # a duplicate is dropped
    assert [seq for _t, seq in socket.got] == [1, 2]
    if hub.gap_timer is not None:
        hub.gap_timer.cancel()


async def test_a_lost_event_is_fetched_from_the_database(room: Room) -> None:
    @database_sync_to_async
    def store_three() -> None:
        from django.db import transaction

        for _ in range(3):
            with transaction.atomic():
                broadcast.room_append(
                    session_id=room.session.pk, event=events.QueueChanged(queue=[])
                )

    hub = RoomHub(room.session.pk)
    hub.expected = 1
    socket = FakeSocket()
    hub.add(socket)  # type: ignore[arg-type]
    # Nothing started the hub's subscription, so only seq 3 "arrives"; 1 and 2 were lost.
    await store_three()
    await hub.numbered(3, _text(3))
    await hub.fill_gap()
    assert [seq for _t, seq in socket.got] == [1, 2, 3]
    stored = await database_sync_to_async(
        lambda: list(RoomEvent.objects.order_by("seq").values_list("seq", flat=True))
    )()
    assert stored == [1, 2, 3]
    assert orjson.loads(socket.got[0][0])["seq"] == 1


async def test_staff_and_personal_messages_reach_only_their_audience(room: Room) -> None:
    hub = RoomHub(room.session.pk)
    resident, staff = FakeSocket(user_id=5), FakeSocket(user_id=6, staff=True)
    hub.add(resident)  # type: ignore[arg-type]
    hub.add(staff)  # type: ignore[arg-type]
    await hub.handle({"to": "staff", "text": "staff-only"})
    await hub.handle({"to": "user", "user_id": 5, "text": "for-five"})
    assert [t for t, _s in resident.got] == ["for-five"]
    assert [t for t, _s in staff.got] == ["staff-only"]


class _Transport:
    def __init__(self, backlog: int) -> None:
        self.dataBuffer = b"x" * backlog
        self.offset = 0
        self._tempDataLen = 0


class _Protocol:
    def __init__(self, backlog: int) -> None:
        self.transport = _Transport(backlog)


async def test_a_client_that_stops_reading_is_closed_with_4013() -> None:
    sent: list[dict[str, Any]] = []

    async def handle_reply(protocol: _Protocol, message: dict[str, Any]) -> None:
        sent.append(message)

    class SessionWrapper:  # what Channels' session middleware puts around ``send``
        def __init__(self, real_send: Any) -> None:
            self.real_send = real_send

        async def send(self, message: dict[str, Any]) -> None:
            await self.real_send(message)

    protocol = _Protocol(backlog=10)
    # How Daphne hands ``send`` to the app, wrapped as the session middleware does.
    send = SessionWrapper(functools.partial(handle_reply, protocol)).send
    scope = {"url_route": {"kwargs": {"session_id": 1}}, "user": None}
    socket = consumers.RoomSocket(scope, None, send)
    socket.active = True
    await socket.push(_text(1), 1)
    assert sent[-1] == {"type": "websocket.send", "text": _text(1)}
    protocol.transport = _Transport(backlog=consumers.OUTBOX_LIMIT + 1)
    await socket.push(_text(2), 2)
    await socket.push(_text(3), 3)
    assert sent[-1] == {"type": "websocket.close", "code": 4013}
    assert len(sent) == 2  # nothing more was queued for it


async def test_a_socket_buffering_too_much_during_its_snapshot_is_closed() -> None:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"url_route": {"kwargs": {"session_id": 1}}, "user": None}
    socket = consumers.RoomSocket(scope, None, send)
    for seq in range(1, consumers.BUFFER_LIMIT + 2):
        await socket.push(_text(seq), seq)
    assert sent == [{"type": "websocket.close", "code": 4013}]
    assert len(socket.buffer) == consumers.BUFFER_LIMIT


async def test_an_event_the_channel_layer_lost_still_reaches_clients(
    room: Room, monkeypatch: Any
) -> None:
    from tests.live.conftest import new_resident

    client = await room.join(await new_resident())
    base = client.snapshot["seq"]

    @database_sync_to_async
    def store_without_publishing() -> None:
        from django.db import transaction

        with transaction.atomic():
            broadcast.room_append(session_id=room.session.pk, event=events.QueueChanged(queue=[]))

    monkeypatch.setattr(broadcast, "publish", lambda *args, **kwargs: None)
    await store_without_publishing()
    healed = await client.wait_for(lambda m: m.get("seq") == base + 1, timeout=10)
    assert healed["type"] == "queue.changed"
