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
