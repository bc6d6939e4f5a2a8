"""The open mic: queue, floor, stage, and turns that end on the server's clock."""

from __future__ import annotations

import datetime as dt

from channels.db import database_sync_to_async
from django.utils import timezone

from deliberation.agendas.models import Session
from deliberation.live import floor
from deliberation.live.models import FloorTurn, RoomEvent, Statement
from tests.live.conftest import Room, new_resident


async def test_queue_grant_stage_extend_end(room: Room) -> None:
    staff = await room.join(room.facilitator)
    alice = await new_resident(nickname="앨리스")
    bob = await new_resident(nickname="밥")
    a = await room.join(alice)
    b = await room.join(bob)
    assert (await a.ok("hand.raise"))["position"] == 1
    assert (await b.ok("hand.raise"))["position"] == 2
    assert (await a.ok("hand.raise"))["position"] == 1  # raising twice keeps the place
    queue = await staff.wait_for(
        lambda m: m.get("type") == "queue.changed" and len(m["queue"]) == 2
    )
    assert [e["nickname"] for e in queue["queue"]] == ["앨리스", "밥"]
    await staff.fail("floor.end", "no_floor")
    granted = await staff.ok("floor.grant")
    floor_event = await b.wait_for(
        lambda m: m.get("type") == "floor.changed" and m["floor"] is not None
    )
    assert floor_event["floor"]["user_id"] == alice.pk
    assert floor_event["floor"]["ends_at"] == granted["ends_at"] and floor_event["floor"]["now"]
    await a.fail("hand.raise", "conflict")
    on_stage = await a.ok("statement.post", client_msg_id="st", text="발언대에서 드리는 말씀")
    side = await b.ok("statement.post", client_msg_id="sd", text="옆에서 하는 이야기")
    flags = await database_sync_to_async(
        lambda: dict(Statement.objects.values_list("pk", "on_stage"))
    )()
    assert flags[on_stage["statement_id"]] is True and flags[side["statement_id"]] is False
    extended = await staff.ok("floor.extend", seconds=60)
    assert extended["ends_at"] > granted["ends_at"]
    await staff.fail("floor.extend", "bad_field", seconds=5)
    await staff.ok("floor.end")
    ended = await b.wait_for(lambda m: m.get("type") == "floor.changed" and m["floor"] is None)
    assert ended["previous"]["reason"] == "ended"
    # Bob is next; a chosen person can be granted too.
    skip = await staff.ok("floor.grant", user_id=bob.pk)
    assert skip["turn_id"]
    await b.wait_for(lambda m: m.get("type") == "queue.changed" and m["queue"] == [])
    await staff.ok("floor.skip")
    await staff.fail("floor.grant", "queue_empty")
    await staff.fail("floor.grant", "not_found", user_id=987654)
    history = await database_sync_to_async(
        lambda: list(FloorTurn.objects.order_by("pk").values_list("person_id", "end_reason"))
    )()
    assert history == [(alice.pk, "ended"), (bob.pk, "skipped")]


async def test_hand_lower_leaves_the_queue(room: Room) -> None:
    a = await room.join(await new_resident())
    await a.ok("hand.raise")
    await a.ok("hand.lower")
    await a.ok("hand.lower")  # idempotent
    last = await a.wait_for(lambda m: m.get("type") == "queue.changed" and m["queue"] == [])
    assert last["seq"]
    # The second, idempotent lower changed nothing: one emptying of the queue, no more.
    emptied = [m for m in a.messages if m.get("type") == "queue.changed" and m["queue"] == []]
    assert emptied == [last]


async def test_a_turn_ends_on_time_with_no_facilitator_connected(room: Room) -> None:
    await database_sync_to_async(Session.objects.filter(pk=room.session.pk).update)(turn_seconds=1)
    staff = await room.join(room.facilitator)
    speaker = await new_resident()
    s = await room.join(speaker)
    watcher = await room.join(await new_resident())
    await s.ok("hand.raise")
    await staff.ok("floor.grant")
    await staff.close()
    expired = await watcher.wait_for(
        lambda m: m.get("type") == "floor.changed" and m["floor"] is None, timeout=10
    )
    assert expired["previous"] == {
        "turn_id": expired["previous"]["turn_id"],
        "user_id": speaker.pk,
        "reason": "expired",
    }
    # The speaker's next statement goes to the side discussion.
    ack = await s.ok("statement.post", client_msg_id="late", text="시간이 지난 뒤")
    flag = await database_sync_to_async(
        lambda: Statement.objects.get(pk=ack["statement_id"]).on_stage
    )()
    assert flag is False


async def test_expiry_is_idempotent_and_lazy_on_read(room: Room) -> None:
    resident = await new_resident()

    @database_sync_to_async
    def overdue_turn() -> None:
        now = timezone.now()
        FloorTurn.objects.create(
            session=room.session,
            person=resident,
            started_at=now - dt.timedelta(minutes=3),
            ends_at=now - dt.timedelta(minutes=1),
        )

    await overdue_turn()
    # Nobody was connected when it ran out; the first reader ends it.
    client = await room.join(resident)
    assert client.snapshot["floor"] is None
    assert not await database_sync_to_async(floor.floor_expire)(session_id=room.session.pk)
    ended = await database_sync_to_async(
        lambda: RoomEvent.objects.filter(session=room.session, type="floor.changed").count()
    )()
    assert ended == 1


async def test_the_speaker_ends_their_own_turn(room: Room) -> None:
    staff = await room.join(room.facilitator)
    alice = await new_resident(nickname="앨리스")
    bob = await new_resident(nickname="밥")
    a = await room.join(alice)
    b = await room.join(bob)
    await a.fail("floor.yield", "no_floor")  # nobody holds the floor yet
    await a.ok("hand.raise")
    await staff.ok("floor.grant")
    await b.wait_for(lambda m: m.get("type") == "floor.changed" and m["floor"] is not None)
    await b.fail("floor.yield", "no_floor")  # only the speaker may end their own turn
    await a.ok("floor.yield")
    ended = await b.wait_for(lambda m: m.get("type") == "floor.changed" and m["floor"] is None)
    assert ended["previous"] == {
        "turn_id": ended["previous"]["turn_id"],
        "user_id": alice.pk,
        "reason": "ended",
    }
    turn = await database_sync_to_async(lambda: FloorTurn.objects.get(person=alice))()
    assert turn.ended_at is not None and turn.end_reason == "ended"
