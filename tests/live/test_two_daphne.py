"""Two real Daphne processes, one Redis, one database: a room spans both."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from typing import Any

import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect

from deliberation.agendas.models import Session
from tests import factories
from tests.live.conftest import cookie_for
from tests.support.daphne import daphne_servers, database_url_of_test_db

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [pytest.mark.redis, pytest.mark.slow]


class Peer:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.messages: list[dict[str, Any]] = []

    async def until(self, predicate: Any, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        index = 0
        while True:
            while index < len(self.messages):
                if predicate(self.messages[index]):
                    return self.messages[index]
                index += 1
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"nothing matched; got {self.messages[-5:]}"
            try:
                raw = await asyncio.wait_for(self.ws.recv(), remaining)
            except TimeoutError:
                continue
            self.messages.append(orjson.loads(raw))

    async def request(self, type_: str, **fields: Any) -> dict[str, Any]:
        rid = uuid.uuid4().hex[:12]
        await self.ws.send(orjson.dumps({"type": type_, "id": rid, **fields}).decode())
        return await self.until(lambda m: m.get("id") == rid)


async def _join(server: Any, session_id: int, cookie: str) -> Peer:
    ws = await connect(
        server.ws_url(f"/ws/sessions/{session_id}/"),
        origin=server.origin,
        additional_headers={"Cookie": cookie},
        compression=None,
        open_timeout=20,
    )
    peer = Peer(ws)
    await peer.until(lambda m: m.get("type") == "snapshot")
    return peer


@pytest.fixture
def spanning_room(transactional_db: None) -> dict[str, Any]:
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    org = factories.OrganisationFactory()
    session = factories.SessionFactory(
        agenda=factories.AgendaFactory(organisation=org), state=Session.State.LIVE
    )
    facilitator = factories.FacilitatorFactory(organisation=org)
    poster = factories.ResidentFactory(nickname="부산 주민")
    reader = factories.ResidentFactory(nickname="전북 주민")
    return {
        "session": session,
        "reader_id": reader.pk,
        "cookies": {
            "poster": cookie_for(poster),
            "reader": cookie_for(reader),
            "facilitator": cookie_for(facilitator),
        },
    }


def test_a_statement_on_one_daphne_reaches_a_resident_on_the_other(
    spanning_room: dict[str, Any],
) -> None:
    session_id = spanning_room["session"].pk
    reader_id = spanning_room["reader_id"]
    cookies = spanning_room["cookies"]
    with daphne_servers(
        2,
        database_url=database_url_of_test_db(),
        redis_url=REDIS_URL,
        channel_prefix=f"t{uuid.uuid4().hex[:10]}",
        extra_env={"MADANG_ANALYSIS_MODE": "queue"},
    ) as (first, second):

        async def scenario() -> None:
            poster = await _join(first, session_id, cookies["poster"])
            reader = await _join(second, session_id, cookies["reader"])
            staff = await _join(first, session_id, cookies["facilitator"])
            try:
                acks = []
                for i in range(5):
                    ack = await poster.request(
                        "statement.post", client_msg_id=f"x{i}", text=f"두 서버를 건너는 말 {i}"
                    )
                    assert ack["type"] == "ack", ack
                    acks.append(ack)
                for ack in acks:
                    seen = await reader.until(
                        lambda m, ack=ack: (
                            m.get("type") == "statement.new"
                            and m["statement"]["id"] == ack["statement_id"]
                        )
                    )
                    assert seen["seq"] == ack["seq"]
                    mine = await poster.until(
                        lambda m, ack=ack: (
                            m.get("type") == "statement.new"
                            and m["statement"]["id"] == ack["statement_id"]
                        )
                    )
                    assert mine["seq"] == ack["seq"]
                # Moderation on the first server reaches the second at once.
                hidden = await staff.request("statement.hide", statement_id=acks[0]["statement_id"])
                assert hidden["type"] == "ack", hidden
                gone = await reader.until(lambda m: m.get("type") == "statement.hidden")
                assert gone["statement_id"] == acks[0]["statement_id"]
                # Presence counts sockets on both servers.
                await reader.until(lambda m: m.get("type") == "presence" and m["count"] == 3)
                numbered = [
                    m["seq"]
                    for m in reader.messages
                    if "seq" in m and m["type"] not in ("snapshot", "ack")
                ]
                assert numbered == sorted(set(numbered))
                # A ban given on the first server closes the socket on the second.
                banned = await staff.request("participant.ban", user_id=reader_id, reason="시험")
                assert banned["type"] == "ack", banned
                kicked = await reader.until(lambda m: m.get("type") == "kicked")
                assert kicked["reason"] == "banned"
                await asyncio.wait_for(reader.ws.wait_closed(), 10)
                assert reader.ws.close_code == 4003
            finally:
                for peer in (poster, reader, staff):
                    await peer.ws.close()

        asyncio.run(scenario())
