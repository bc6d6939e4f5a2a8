"""A room across a channel-layer outage: while the layer is down posts are still stored,
acknowledged and delivered from the database; when it is back every socket is told
(``resync`` and a fresh snapshot) and holds the room as stored, counts included."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from channels.layers import get_channel_layer

from deliberation.live import hub
from deliberation.live.layer_watch import Outage
from tests.live.conftest import Room, RoomClient, new_resident


class LayerDown:
    """Makes the process's channel layer fail like a layer without Redis."""

    def __init__(self, monkeypatch: Any) -> None:
        self.layer = get_channel_layer()
        self.monkeypatch = monkeypatch
        self.failed: list[dict[str, Any]] = []
        self.reaction_lost = asyncio.Event()

    def begin(self, *methods: str) -> None:
        for name in methods:
            self.monkeypatch.setattr(self.layer, name, self._fail)
        hub._layer_lost(asyncio.get_running_loop())

    async def _fail(self, *args: Any, **kwargs: Any) -> None:
        message = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
        self.failed.append(message)
        if '"type":"reactions"' in str(message.get("text", "")):
            self.reaction_lost.set()
        raise ConnectionError("redis is down")

    async def end(self) -> None:
        self.monkeypatch.undo()
        now = time.monotonic()
        await hub._layer_back(asyncio.get_running_loop(), Outage("test", now, now))


async def told(client: RoomClient) -> dict[str, Any]:
    """Wait for ``resync`` and return the snapshot that follows it."""
    await client.wait_for(lambda m: m.get("type") == "resync")
    index = max(i for i, m in enumerate(client.messages) if m.get("type") == "resync")
    return await client.wait_for(lambda m: m.get("type") == "snapshot", start=index)


async def test_a_layer_outage_ends_with_every_socket_resynced_and_nothing_missing(
    room: Room, monkeypatch: Any
) -> None:
    a = await room.join(await new_resident())
    b = await room.join(await new_resident())
    before = await a.ok("statement.post", client_msg_id="before", text="정전 전에 올린 말")
    await b.event("statement.new", seq=before["seq"])
    staff = await room.join(room.facilitator)

    outage = LayerDown(monkeypatch)
    outage.begin("group_send")
    during = await a.ok("statement.post", client_msg_id="during", text="정전 중에 올린 말")
    # Stored, acknowledged, and delivered from the database while the layer is down.
    await b.wait_for(lambda m: m.get("seq") == during["seq"], timeout=5)
    await b.ok("reaction.toggle", statement_id=before["statement_id"], kind="공감")
    await asyncio.wait_for(outage.reaction_lost.wait(), 5)  # its count never crossed
    await outage.end()

    sid = str(before["statement_id"])
    for client in (a, b, staff):
        snapshot = await told(client)
        assert snapshot["seq"] >= during["seq"]
        assert snapshot["reactions"][sid]["공감"] == 1, "the count lost in the outage is read anew"
        assert snapshot["presence"] == 3
        first = client.messages[0]["seq"]  # the snapshot at connect
        held = {m["seq"] for m in client.numbered()}
        assert set(range(first + 1, snapshot["seq"] + 1)) <= held, "no hole in the events"
    statements = {m["statement"]["id"] for m in b.numbered() if m["type"] == "statement.new"}
    assert {before["statement_id"], during["statement_id"]} <= statements
    assert not any(h.layer_lost for h in hub._hubs.values())

    # Live delivery through the layer works again.
    after = await b.ok("statement.post", client_msg_id="after", text="정전 뒤에 올린 말")
    await a.event("statement.new", seq=after["seq"])


async def test_a_room_joined_while_the_layer_is_down_subscribes_when_it_is_back(
    room: Room, monkeypatch: Any
) -> None:
    outage = LayerDown(monkeypatch)
    outage.begin("group_add", "group_send")
    c = await room.join(await new_resident())  # served without a subscription
    room_hub = hub.local_hub(room.session.pk)
    assert room_hub is not None and room_hub.layer_lost
    await outage.end()

    await told(c)
    assert not room_hub.layer_lost
    assert room_hub.receiver is not None and not room_hub.receiver.done()
    d = await room.join(await new_resident())
    ack = await d.ok("statement.post", client_msg_id="after", text="다시 이어진 방")
    await c.event("statement.new", seq=ack["seq"])
    # Reaction counts travel only through the layer: the room is subscribed again.
    await d.ok("reaction.toggle", statement_id=ack["statement_id"], kind="공감")
    sid = str(ack["statement_id"])
    await c.wait_for(lambda m: m.get("type") == "reactions" and m["counts"][sid]["공감"] == 1)
