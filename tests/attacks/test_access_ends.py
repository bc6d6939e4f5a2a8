"""Promise 6: access ends when it should. A ban, a sign-out (resident cookie or account), a
lost role and a raised disclosure level each end the open socket's access: the person
is told (``kicked``), the socket closes with 4003, and nothing more of the room reaches it.

The times are recorded (docs/reliability.md); the deadline asserted here is generous so a
loaded machine does not make the test flaky, the promise itself is one second.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from deliberation.agendas.models import Disclosure
from deliberation.people.models import User
from deliberation.people.services import user_revoke_tokens

from .conftest import Connect, Room, ask, cookie_for

pytestmark = pytest.mark.django_db(transaction=True)

DEADLINE = 5.0
FIGURES = Path(__file__).resolve().parents[2] / "test-artifacts" / "faults" / "access.jsonl"


async def _seconds_until_kicked(communicator: WebsocketCommunicator, since: float) -> float:
    """Read until ``kicked`` and the 4003 close; returns the seconds it took."""
    kicked = False
    while True:
        output = await communicator.receive_output(timeout=DEADLINE)
        if output["type"] == "websocket.close":
            assert kicked, "closed without saying why"
            assert output.get("code") == 4003, output
            return time.monotonic() - since
        message = json.loads(output.get("text") or "{}")
        if message.get("type") == "kicked":
            kicked = True
            assert message["message"]


def _record(case: str, seconds: float) -> None:
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    with FIGURES.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"case": case, "seconds": round(seconds, 3)}) + "\n")


async def test_ban_ends_the_socket(ws: Connect, room: Room) -> None:
    victim, accepted, _ = await ws(room.session.pk, cookie=room.resident_cookie)
    staff, staff_ok, _ = await ws(room.session.pk, cookie=room.facilitator_cookie)
    assert accepted and staff_ok
    started = time.monotonic()
    reply = await ask(staff, "participant.ban", "ban", user_id=room.resident.pk, reason="욕설")
    assert reply["type"] == "ack", reply
    took = await _seconds_until_kicked(victim, started)
    _record("ban", took)
    _, again, _ = await ws(room.session.pk, cookie=room.resident_cookie)
    assert not again  # and the door stays shut


async def test_resident_sign_out_ends_the_socket(ws: Connect, room: Room) -> None:
    victim, accepted, _ = await ws(room.session.pk, cookie=room.resident_cookie)
    assert accepted
    started = time.monotonic()
    await sync_to_async(user_revoke_tokens)(user=room.resident)  # sign-out in another tab
    _record("resident sign-out", await _seconds_until_kicked(victim, started))


async def test_account_sign_out_ends_the_socket(ws: Connect, room: Room) -> None:
    from django.contrib.sessions.models import Session as SignIn

    victim, accepted, _ = await ws(room.session.pk, cookie=room.facilitator_cookie)
    assert accepted
    started = time.monotonic()
    await sync_to_async(lambda: SignIn.objects.all().delete())()  # signed out elsewhere
    _record("account sign-out", await _seconds_until_kicked(victim, started))


async def test_lost_role_ends_the_socket(
    ws: Connect, room: Room, ministry_staff_factory: Any
) -> None:
    staff_member = await sync_to_async(ministry_staff_factory)(clearance=User.Clearance.INTERNAL)
    cookie = await sync_to_async(cookie_for)(staff_member)
    victim, accepted, _ = await ws(room.session.pk, cookie=cookie)
    assert accepted
    started = time.monotonic()
    await sync_to_async(
        lambda: User.objects.filter(pk=staff_member.pk).update(role=User.Role.RESIDENT)
    )()
    _record("lost role", await _seconds_until_kicked(victim, started))


async def test_raised_disclosure_level_ends_the_socket(ws: Connect, room: Room) -> None:
    from deliberation.agendas.services import agenda_update

    victim, accepted, _ = await ws(room.session.pk, cookie=room.resident_cookie)
    assert accepted
    started = time.monotonic()
    await sync_to_async(agenda_update)(
        actor=room.facilitator, agenda=room.session.agenda, disclosure=Disclosure.RESTRICTED
    )
    _record("raised disclosure", await _seconds_until_kicked(victim, started))
    # the facilitator who organises it stays
    _, staff_ok, _ = await ws(room.session.pk, cookie=room.facilitator_cookie)
    assert staff_ok
