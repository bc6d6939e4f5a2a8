"""Live-room test helpers: rooms, people with real cookies, and a protocol client that
drives the real ASGI application (Origin check, auth and resident middleware included)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from deliberation.agendas.models import Session
from deliberation.people.identity import resident_token
from deliberation.people.models import User
from tests import factories

ORIGIN = "http://testserver"
_ids = itertools.count(1)


def cookie_for(user: User) -> str:
    """A real cookie: the resident cookie for residents, a signed-in session otherwise."""
    if user.role == User.Role.RESIDENT:
        return f"{settings.RESIDENT_COOKIE_NAME}={resident_token(user)}"
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class RoomClient:
    """One WebSocket to a room: every message kept in order; requests matched by id."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.comm = communicator
        self.messages: list[dict[str, Any]] = []
        self.closed_code: int | None = None
        self.snapshot: dict[str, Any] = {}

    async def _receive(self, timeout: float) -> dict[str, Any] | None:
        output = await self.comm.receive_output(timeout)
        if output["type"] == "websocket.close":
            self.closed_code = output.get("code", 1000)
            return None
        data = orjson.loads(output["text"])
        self.messages.append(data)
        if data.get("type") == "snapshot":
            self.snapshot = data
        return data

    async def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], *, timeout: float = 5.0, start: int = 0
    ) -> dict[str, Any]:
        """The first message (from index ``start``) that satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        index = start
        while True:
            while index < len(self.messages):
                if predicate(self.messages[index]):
                    return self.messages[index]
                index += 1
            if self.closed_code is not None:
                raise AssertionError(f"socket closed ({self.closed_code}) while waiting")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching message; got {self.messages[-5:]}")
            try:
                await self._receive(remaining)
            except TimeoutError:
                continue

    async def event(self, type_: str, **match: Any) -> dict[str, Any]:
        return await self.wait_for(
            lambda m: m.get("type") == type_ and all(m.get(k) == v for k, v in match.items())
        )

    async def send_raw(self, text: str) -> None:
        await self.comm.send_to(text_data=text)

    async def request(self, type_: str, **fields: Any) -> dict[str, Any]:
        """Send an action and return its one reply (ack or error)."""
        request_id = fields.pop("id", None) or f"r{next(_ids)}"
        start = len(self.messages)
        await self.comm.send_to(
            text_data=orjson.dumps({"type": type_, "id": request_id, **fields}).decode()
        )
        return await self.wait_for(
            lambda m: m.get("type") in ("ack", "error") and m.get("id") == request_id, start=start
        )

    async def ok(self, type_: str, **fields: Any) -> dict[str, Any]:
        reply = await self.request(type_, **fields)
        assert reply["type"] == "ack", reply
        return reply

    async def fail(self, type_: str, code: str, **fields: Any) -> dict[str, Any]:
        reply = await self.request(type_, **fields)
        assert reply["type"] == "error" and reply["code"] == code, reply
        assert reply["message"]
        return reply

    def numbered(self) -> list[dict[str, Any]]:
        return [
            m
            for m in self.messages
            if "seq" in m and m.get("type") not in ("snapshot", "resync", "ack")
        ]

    async def wait_closed(self, timeout: float = 3.0) -> int:
        deadline = time.monotonic() + timeout
        while self.closed_code is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("socket still open")
            try:
                await self._receive(remaining)
            except TimeoutError:
                continue
        return self.closed_code

    async def close(self) -> None:
        if self.closed_code is None:
            await self.comm.disconnect()
            self.closed_code = 1000
        else:
            await self.comm.wait(1)


@dataclass
class Room:
    session: Session
    facilitator: User
    clients: list[RoomClient]

    async def join(
        self,
        user: User,
        *,
        after: int | None = None,
        origin: str | None = ORIGIN,
        cookie: str | None = None,
        expect: bool = True,
        view: str | None = None,
    ) -> RoomClient:
        cookie = cookie if cookie is not None else await database_sync_to_async(cookie_for)(user)
        headers = [(b"cookie", cookie.encode())]
        if origin is not None:
            headers.append((b"origin", origin.encode()))
        path = f"/ws/sessions/{self.session.pk}/"
        query = [f"after={after}"] if after is not None else []
        if view is not None:
            query.append(f"view={view}")
        if query:
            path += "?" + "&".join(query)
        from madang.asgi import application

        comm = WebsocketCommunicator(application, path, headers=headers)
        connected, _code = await comm.connect(timeout=10)
        client = RoomClient(comm)
        if not expect:
            assert not connected, "the room should have refused this socket"
            await comm.wait(1)
            return client
        assert connected, "the room refused the socket"
        self.clients.append(client)
        await client.wait_for(lambda m: m.get("type") == "snapshot", timeout=10)
        return client

    async def close_all(self) -> None:
        for client in self.clients:
            await client.close()


@pytest.fixture(scope="session", autouse=True)
def _close_worker_thread_connections(django_db_setup: None) -> Any:
    """Room code reaches the database from asgiref's worker thread; close that thread's
    connection before the test database is dropped."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)


@pytest.fixture
def live_session(transactional_db: None) -> Session:
    org = factories.OrganisationFactory()
    agenda = factories.AgendaFactory(organisation=org)
    return factories.SessionFactory(agenda=agenda, state=Session.State.LIVE)


@pytest.fixture
def room_facilitator(live_session: Session) -> User:
    return factories.FacilitatorFactory(organisation=live_session.agenda.organisation)


@pytest.fixture
async def room(live_session: Session, room_facilitator: User) -> Any:
    r = Room(session=live_session, facilitator=room_facilitator, clients=[])
    yield r
    await r.close_all()


def make_resident(**kwargs: Any) -> User:
    return factories.ResidentFactory(**kwargs)


new_resident = database_sync_to_async(make_resident)
