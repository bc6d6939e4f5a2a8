"""Access ends when it should: sign-out, revoked cookie, lost role, raised disclosure."""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session as SignIn

from deliberation.agendas import services as agenda_services
from deliberation.agendas.models import Disclosure
from deliberation.people.models import User
from deliberation.people.services import user_revoke_tokens
from tests.live.conftest import Room, new_resident


async def test_a_revoked_resident_cookie_ends_the_socket(room: Room) -> None:
    resident = await new_resident()
    r = await room.join(resident)
    await database_sync_to_async(user_revoke_tokens)(user=resident)
    assert (await r.event("kicked"))["reason"] == "access_lost"
    assert await r.wait_closed() == 4003


async def test_signing_out_ends_the_facilitators_socket(room: Room) -> None:
    staff = await room.join(room.facilitator)
    await database_sync_to_async(lambda: SignIn.objects.all().delete())()
    assert await staff.wait_closed() == 4003


async def test_losing_the_role_ends_the_socket(room: Room) -> None:
    staff = await room.join(room.facilitator)

    @database_sync_to_async
    def demote() -> None:
        user = User.objects.get(pk=room.facilitator.pk)
        user.role = User.Role.RESIDENT
        user.save()

    await demote()
    assert await staff.wait_closed() == 4003


async def test_raising_the_disclosure_level_ends_outsiders_sockets(room: Room) -> None:
    staff = await room.join(room.facilitator)
    r = await room.join(await new_resident())

    @database_sync_to_async
    def restrict() -> None:
        agenda_services.agenda_update(
            actor=room.facilitator, agenda=room.session.agenda, disclosure=Disclosure.RESTRICTED
        )

    await restrict()
    assert (await r.event("kicked"))["reason"] == "access_lost"
    assert await r.wait_closed() == 4003
    assert (await staff.ok("ping"))["now"]


async def test_an_action_after_losing_access_is_refused(room: Room) -> None:
    resident = await new_resident()
    r = await room.join(resident)
    await database_sync_to_async(User.objects.filter(pk=resident.pk).update)(is_active=False)
    reply = await r.request("statement.post", client_msg_id="z", text="나갔는데 말하기")
    assert reply["type"] == "error" and reply["code"] == "access_lost"
    assert await r.wait_closed() == 4003
