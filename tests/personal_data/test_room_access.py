"""A withdrawn resident in the live room, through the real ASGI application."""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.conf import settings

from deliberation.people.identity import resident_token
from deliberation.personal_data.services import resident_withdraw
from tests.live.conftest import Room, new_resident

COOKIE = settings.RESIDENT_COOKIE_NAME


async def test_a_withdrawn_residents_old_cookie_gets_no_room(room: Room) -> None:
    resident = await new_resident()
    cookie = f"{COOKIE}={await database_sync_to_async(resident_token)(resident)}"
    inside = await room.join(resident, cookie=cookie)
    await database_sync_to_async(resident_withdraw)(user=resident, actor=resident, channel="self")
    assert (await inside.event("kicked"))["reason"] == "access_lost"
    assert await inside.wait_closed() == 4003
    await room.join(resident, cookie=cookie, expect=False)


async def test_a_withdrawn_residents_raised_hand_leaves_the_queue(room: Room) -> None:
    resident = await new_resident()
    watcher = await room.join(await new_resident())
    r = await room.join(resident)
    await r.ok("hand.raise")
    await watcher.wait_for(lambda m: m.get("type") == "queue.changed" and len(m["queue"]) == 1)
    await database_sync_to_async(resident_withdraw)(user=resident, actor=resident, channel="self")
    await watcher.wait_for(lambda m: m.get("type") == "queue.changed" and m["queue"] == [])
