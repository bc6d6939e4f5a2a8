"""Attack fixtures: a live room with its people, and WebSocket connections through the real
ASGI application (Origin check, session and resident cookies included)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from deliberation.agendas.models import Disclosure, Session
from deliberation.people.identity import resident_token
from deliberation.people.models import User
from tests.browser.conftest import (  # noqa: F401 - the browser suite's fixtures, for XSS tests
    _daphne_server,
    browser,
    live_server_url,
    new_page,
    sign_in,
)

ORIGIN = "http://127.0.0.1"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Factories set passwords; the slow default hasher would dominate these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def cookie_for(user: User) -> str:
    """The Cookie header a browser of this person sends (resident cookie or session)."""
    if user.role == User.Role.RESIDENT:
        return f"{settings.RESIDENT_COOKIE_NAME}={resident_token(user)}"
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@dataclass
class Room:
    session: Session
    facilitator: User
    resident: User
    other_resident: User
    facilitator_cookie: str
    resident_cookie: str
    other_cookie: str


@pytest.fixture
def room(
    transactional_db: Any,
    session_factory: Any,
    facilitator_factory: Any,
    resident_factory: Any,
    organisation_factory: Any,
) -> Room:
    """A live, public open-mic room of one organisation, its facilitator and two residents."""
    org = organisation_factory()
    session = session_factory(agenda__organisation=org, state=Session.State.LIVE)
    facilitator = facilitator_factory(organisation=org)
    resident = resident_factory(region=org)
    other = resident_factory(region=org)
    return Room(
        session=session,
        facilitator=facilitator,
        resident=resident,
        other_resident=other,
        facilitator_cookie=cookie_for(facilitator),
        resident_cookie=cookie_for(resident),
        other_cookie=cookie_for(other),
    )


@pytest.fixture
def restricted_room(session_factory: Any, room: Room) -> Session:
    """A live room of a restricted agenda of the same organisation."""
    return session_factory(  # type: ignore[no-any-return]
        agenda__organisation=room.session.agenda.organisation,
        agenda__disclosure=Disclosure.RESTRICTED,
        state=Session.State.LIVE,
    )


Connect = Callable[..., Any]


@pytest.fixture
async def ws() -> AsyncIterator[Connect]:
    """``await ws(session_id, cookie=..., origin=...)`` -> (communicator, accepted, first message).

    Every communicator opened through this fixture is disconnected afterwards.
    """
    from madang.asgi import application

    opened: list[WebsocketCommunicator] = []

    async def connect(
        session_id: int | str,
        *,
        cookie: str | None = None,
        origin: str | None = ORIGIN,
        host: str = "127.0.0.1",
        query: str = "",
    ) -> tuple[WebsocketCommunicator, bool, dict[str, Any] | None]:
        headers = [(b"host", host.encode())]
        if origin is not None:
            headers.append((b"origin", origin.encode("latin-1")))
        if cookie is not None:
            headers.append((b"cookie", cookie.encode("latin-1")))
        path = f"/ws/sessions/{session_id}/" + (f"?{query}" if query else "")
        communicator = WebsocketCommunicator(application, path, headers=headers)
        opened.append(communicator)
        try:
            accepted, _ = await communicator.connect(timeout=10)
        except ValueError:  # no route for such a path: nothing to join
            return communicator, False, None
        first = await communicator.receive_json_from(timeout=10) if accepted else None
        return communicator, accepted, first

    yield connect
    for communicator in opened:
        try:
            await communicator.disconnect(timeout=5)
        except (Exception, asyncio.CancelledError):  # noqa: BLE001 - already closed
            pass


async def ask(
    communicator: WebsocketCommunicator, kind: str, msg_id: str, timeout: float = 10, **fields: Any
) -> dict[str, Any]:
    """Send one action and return the reply carrying its id (skipping room broadcasts).

    A ``rate_limited`` answer is waited out and the action sent again, as a client would.
    """
    while True:
        await communicator.send_json_to({"type": kind, "id": msg_id, **fields})
        reply = await reply_to(communicator, msg_id, timeout=timeout, also_anonymous=True)
        if reply.get("code") != "rate_limited":
            return reply
        await asyncio.sleep(float(reply.get("retry_after") or 0.1))  # the server's own pacing


async def reply_to(
    communicator: WebsocketCommunicator,
    msg_id: str | None,
    timeout: float = 10,
    also_anonymous: bool = False,
    any_id: bool = False,
) -> dict[str, Any]:
    """The next ack/error for ``msg_id`` (or, with ``also_anonymous``, one with no id;
    with ``any_id``, the next reply whatever its id)."""
    while True:
        msg = await communicator.receive_json_from(timeout=timeout)
        if msg.get("type") not in ("ack", "error"):
            continue
        if any_id or msg.get("id") == msg_id or (also_anonymous and msg.get("id") is None):
            return msg  # type: ignore[no-any-return]
