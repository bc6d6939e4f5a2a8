"""The same room over the Redis pub/sub channel layer (one subscription per room)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.live.conftest import Room, new_resident

pytestmark = pytest.mark.redis


async def test_posts_reactions_and_kicks_travel_over_redis(
    room: Room, redis_channel_layer: dict[str, Any]
) -> None:
    staff = await room.join(room.facilitator)
    resident = await new_resident()
    a = await room.join(resident)
    b = await room.join(await new_resident())
    ack = await a.ok("statement.post", client_msg_id="r1", text="레디스를 건너는 말")
    assert (await b.event("statement.new"))["seq"] == ack["seq"]
    await b.ok("reaction.toggle", statement_id=ack["statement_id"], kind="궁금해요")
    sid = str(ack["statement_id"])
    await a.wait_for(lambda m: m.get("type") == "reactions" and m["counts"][sid]["궁금해요"] == 1)
    report = await b.ok("report.create", statement_id=ack["statement_id"], reason="확인 부탁")
    assert (await staff.event("staff.report"))["report"]["id"] == report["report_id"]
    await staff.ok("participant.ban", user_id=resident.pk, reason="테스트")
    assert await a.wait_closed() == 4003
