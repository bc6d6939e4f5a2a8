"""A room through the real ASGI application: join, snapshot, post, see it live."""

from __future__ import annotations

from tests.live.conftest import Room, new_resident


async def test_statement_reaches_everyone_with_its_seq(room: Room) -> None:
    alice = await new_resident(nickname="앨리스")
    bob = await new_resident(nickname="밥")
    a = await room.join(alice)
    b = await room.join(bob)
    assert a.snapshot["protocol"] == 1
    assert a.snapshot["me"]["nickname"] == "앨리스"
    ack = await a.ok("statement.post", client_msg_id="m1", text="청년 일자리 이야기를 하고 싶어요")
    assert ack["duplicate"] is False and ack["status"] == "visible"
    seen = await b.event("statement.new")
    assert seen["seq"] == ack["seq"]
    assert seen["statement"]["text"] == "청년 일자리 이야기를 하고 싶어요"
    assert seen["statement"]["author"]["nickname"] == "앨리스"


async def test_presence_counts_people_not_tabs_or_projectors(room: Room) -> None:
    from tests.live.conftest import new_resident

    staff = await room.join(room.facilitator)
    alice = await new_resident(nickname="두 탭 주민")
    await room.join(alice)
    await room.join(alice)  # a second tab of the same person
    await room.join(room.facilitator, view="projector")  # the hall's screen
    bob = await new_resident(nickname="한 탭 주민")
    await room.join(bob)
    late = await room.join(await new_resident(nickname="늦은 주민"))
    snapshot = late.messages[-1] if late.messages[-1].get("type") == "snapshot" else None
    await staff.wait_for(lambda m: m.get("type") == "presence" and m["count"] == 4)
    # The facilitator, alice once, bob and the late one: the projector is nobody, and
    # the count never went past the people present (as counting sockets would).
    counts = [m["count"] for m in staff.messages if m.get("type") == "presence"]
    assert max(counts) == 4, counts
    assert snapshot is None or snapshot["presence"] <= 4


async def test_facilitators_see_who_is_present_once_each(room: Room) -> None:
    from tests.live.conftest import new_resident

    staff = await room.join(room.facilitator)
    alice = await new_resident(nickname="두 탭 주민")
    first = await room.join(alice)
    await room.join(alice)
    await room.join(room.facilitator, view="projector")
    listed = await staff.wait_for(
        lambda m: m.get("type") == "staff.presence" and len(m["people"]) == 2, timeout=10
    )
    people = {p["nickname"]: p for p in listed["people"]}
    assert set(people) == {"두 탭 주민", room.facilitator.display_name}
    assert people[room.facilitator.display_name]["staff"] is True
    assert people["두 탭 주민"]["role"] == "resident" and people["두 탭 주민"]["staff"] is False
    assert listed["people"][0]["staff"] is True  # staff first
    # Residents never get the list.
    assert not [m for m in first.messages if m.get("type") == "staff.presence"]
