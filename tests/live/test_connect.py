"""Who gets a room: Origin, identity, disclosure, state, bans; and what the snapshot holds."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from deliberation.agendas.models import Disclosure, Session
from deliberation.live.models import Participant
from tests import factories
from tests.live.conftest import Room, cookie_for, new_resident


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "null",
        "",
        None,
        "http://testserver.evil.example",
        "http://evil-testserver",
        "https://testserver@evil.example",
    ],
)
async def test_foreign_null_or_missing_origin_gets_no_room(room: Room, origin: str | None) -> None:
    resident = await new_resident()
    await room.join(resident, origin=origin, expect=False)


async def test_no_or_forged_cookie_gets_no_room(room: Room) -> None:
    resident = await new_resident()
    await room.join(resident, cookie="", expect=False)
    await room.join(resident, cookie="madang_resident=forged:token", expect=False)


async def test_revoked_resident_cookie_gets_no_room(room: Room) -> None:
    from deliberation.people.services import user_revoke_tokens

    resident = await new_resident()
    cookie = await database_sync_to_async(cookie_for)(resident)
    await database_sync_to_async(user_revoke_tokens)(user=resident)
    await room.join(resident, cookie=cookie, expect=False)


async def test_restricted_agenda_room_is_refused_to_outsiders(room: Room) -> None:
    @database_sync_to_async
    def restrict() -> None:
        agenda = room.session.agenda
        agenda.disclosure = Disclosure.RESTRICTED
        agenda.save()

    await restrict()
    await room.join(await new_resident(), expect=False)
    ministry = await database_sync_to_async(factories.MinistryStaffFactory)()
    await room.join(ministry, expect=False)
    await room.join(room.facilitator)  # the organisers still run it


async def test_a_scheduled_room_admits_only_its_facilitators(room: Room) -> None:
    await database_sync_to_async(Session.objects.filter(pk=room.session.pk).update)(
        state=Session.State.SCHEDULED
    )
    await room.join(await new_resident(), expect=False)
    staff = await room.join(room.facilitator)
    assert (await staff.ok("room.open"))["state"] == "live"
    await room.join(await new_resident())


async def test_banned_person_is_refused(room: Room) -> None:
    resident = await new_resident()
    await database_sync_to_async(Participant.objects.create)(
        session=room.session, person=resident, banned=True
    )
    await room.join(resident, expect=False)


async def test_snapshot_holds_room_state_and_staff_extras_only_for_staff(room: Room) -> None:
    resident = await new_resident(nickname="주민")
    r = await room.join(resident)
    f = await room.join(room.facilitator)
    snap = r.snapshot
    for key in (
        "seq",
        "now",
        "session",
        "me",
        "statements",
        "pinned",
        "queue",
        "floor",
        "presence",
        "reactions",
        "my_reactions",
        "moderation_log",
        "parts",
    ):
        assert key in snap, key
    assert snap["session"]["state"] == "live"
    assert snap["me"]["staff"] is False and "staff" not in snap
    assert f.snapshot["me"]["staff"] is True
    assert set(f.snapshot["staff"]) >= {"pending", "reports", "audit_log"}
