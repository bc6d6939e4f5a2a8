"""Property: clients dropped at random points and reconnecting with ?after=<last seq>
end with exactly the room's stored sequence: no gap, no duplicate, same payloads."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberation.agendas.models import Session
from deliberation.live.models import RoomEvent
from deliberation.people.models import User
from tests import factories
from tests.live.conftest import Room, RoomClient

READERS = 3
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("post"), st.integers(0, 1)),
        st.just(("hand", 0)),
        st.tuples(st.just("drop"), st.integers(0, READERS - 1)),
        st.tuples(st.just("rejoin"), st.integers(0, READERS - 1)),
    ),
    min_size=3,
    max_size=25,
)


class Reader:
    def __init__(self, user: User) -> None:
        self.user = user
        self.client: RoomClient | None = None
        self.held: list[dict[str, Any]] = []  # every numbered event received, in order
        self.counted = 0

    def harvest(self) -> None:
        if self.client is None:
            return
        for m in self.client.messages[self.counted :]:
            if "seq" in m and m["type"] not in ("snapshot", "resync", "ack"):
                self.held.append(m)
        self.counted = len(self.client.messages)

    @property
    def last(self) -> int:
        return self.held[-1]["seq"] if self.held else 0


async def _scenario(
    room: Room, readers: list[Reader], posters: list[RoomClient], ops: list
) -> None:
    hand_up = False
    poster = posters[0]
    for n, (op, who) in enumerate(ops):
        if op == "post":
            await posters[who].ok("statement.post", client_msg_id=f"m{n}", text=f"발언 {n}")
        elif op == "hand":
            await poster.ok("hand.lower" if hand_up else "hand.raise")
            hand_up = not hand_up
        elif op == "drop" and readers[who].client is not None:
            reader = readers[who]
            reader.harvest()
            await reader.client.close()  # type: ignore[union-attr]
            reader.client = None
        elif op == "rejoin" and readers[who].client is None:
            reader = readers[who]
            reader.client = await room.join(reader.user, after=reader.last)
            reader.counted = 0
    for reader in readers:
        if reader.client is None:
            reader.client = await room.join(reader.user, after=reader.last)
            reader.counted = 0
    final = await database_sync_to_async(lambda: Session.objects.get(pk=room.session.pk).last_seq)()
    for reader in readers:
        assert reader.client is not None
        if final:
            await reader.client.wait_for(
                lambda m: m.get("seq") == final and m["type"] not in ("ack", "snapshot")
            )
        reader.harvest()


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_every_client_ends_with_exactly_the_stored_sequence(
    transactional_db: None, ops: list
) -> None:
    @database_sync_to_async
    def setup() -> tuple[Session, User, list[User], list[User]]:
        org = factories.OrganisationFactory()
        session = factories.SessionFactory(
            agenda=factories.AgendaFactory(organisation=org), state=Session.State.LIVE
        )
        facilitator = factories.FacilitatorFactory(organisation=org)
        people = [factories.ResidentFactory() for _ in range(READERS)]
        return session, facilitator, people, [factories.ResidentFactory() for _ in range(2)]

    async def run() -> None:
        session, facilitator, people, poster_users = await setup()
        room = Room(session=session, facilitator=facilitator, clients=[])
        try:
            readers = [Reader(p) for p in people]
            for reader in readers:
                reader.client = await room.join(reader.user)
            posters = [await room.join(u) for u in poster_users]
            await _scenario(room, readers, posters, ops)
            stored = await database_sync_to_async(
                lambda: list(
                    RoomEvent.objects.filter(session=session)
                    .order_by("seq")
                    .values_list("seq", "type", "payload")
                )
            )()
            expected = [(seq, kind) for seq, kind, _p in stored]
            for reader in readers:
                got = [(m["seq"], m["type"]) for m in reader.held]
                assert got == expected, (ops, got, expected)
                for m, (_seq, _kind, payload) in zip(reader.held, stored, strict=True):
                    assert {k: v for k, v in m.items() if k != "seq"} == payload
        finally:
            await room.close_all()

    asyncio.run(run())
