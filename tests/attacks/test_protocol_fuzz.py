"""Property-based fuzzing of the room protocol through the real ASGI application.

Random sequences of valid and invalid frames from a facilitator and two residents never
crash a socket (every frame gets exactly one reply and the socket still answers), and
never break the room's invariants: every socket ends holding every numbered event from
its snapshot on exactly once (no gap, none twice), at most one ballot per person, and a
hidden statement's text never reaches a resident again once it is hidden.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberation.agendas.models import Session
from deliberation.live.models import Statement
from deliberation.structured import services as structured
from deliberation.structured.models import Ballot, PhaseKind
from tests.structured.conftest import run_phase

from .conftest import ORIGIN, cookie_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

STAFF, RESIDENT_A, RESIDENT_B = 0, 1, 2
_marks = itertools.count(1)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
statement_ids = st.integers(min_value=-2, max_value=60)
resident_actions = st.one_of(
    st.builds(lambda t: {"type": "statement.post", "text": t}, st.text(max_size=60)),
    st.just({"type": "statement.post", "text": "MARK"}),
    st.builds(
        lambda s, k: {"type": "reaction.toggle", "statement_id": s, "kind": k},
        statement_ids,
        st.sampled_from(["공감", "궁금해요", "아쉬워요", "좋아요"]),
    ),
    st.just({"type": "hand.raise"}),
    st.just({"type": "hand.lower"}),
    st.builds(
        lambda s: {"type": "report.create", "statement_id": s, "reason": "부적절"}, statement_ids
    ),
    st.builds(
        lambda ids: {"type": "ballot.submit", "proposal_ids": ids},
        st.lists(st.integers(0, 40), max_size=4),
    ),
    st.builds(
        lambda s: {"type": "statement.hide", "statement_id": s, "reason": "x"}, statement_ids
    ),
    st.just({"type": "ping"}),
    st.just({"type": "resume", "after": "LAST"}),
)
staff_actions = st.one_of(
    resident_actions,
    st.builds(
        lambda s: {"type": "statement.hide", "statement_id": s, "reason": "규칙 위반"},
        statement_ids,
    ),
    st.builds(
        lambda s: {"type": "statement.restore", "statement_id": s, "reason": "복구"}, statement_ids
    ),
    st.builds(lambda s: {"type": "statement.pin", "statement_id": s}, statement_ids),
    st.just({"type": "floor.grant", "user_id": None}),
    st.just({"type": "floor.end"}),
    st.builds(lambda b: {"type": "room.premoderation", "enabled": b}, st.booleans()),
)
junk = st.one_of(
    st.builds(json.dumps, json_values),
    st.text(max_size=40),
    st.builds(
        lambda t, v: json.dumps({"type": t, "id": "j", "x": v}), st.text(max_size=30), json_values
    ),
    st.sampled_from(
        [
            '{"type": "websocket.disconnect", "id": "j"}',
            '{"type": "room.broadcast", "id": "j", "text": "{}"}',
            '{"type": "statement.post", "id": "j", "text": NaN}',
            "[" * 3000 + "]" * 3000,
        ]
    ),
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just(STAFF), staff_actions),
        st.tuples(st.sampled_from([RESIDENT_A, RESIDENT_B]), resident_actions),
        st.tuples(st.sampled_from([STAFF, RESIDENT_A, RESIDENT_B]), junk),
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture
def fuzz_room(
    transactional_db: Any,
    session_factory: Any,
    facilitator_factory: Any,
    resident_factory: Any,
    organisation_factory: Any,
) -> dict[str, Any]:
    org = organisation_factory()
    session = session_factory(
        agenda__organisation=org, kind=Session.Kind.DELIBERATION, state=Session.State.LIVE
    )
    host = facilitator_factory(organisation=org)
    people = [resident_factory(region=org) for _ in range(2)]
    run_phase(session, PhaseKind.PROPOSALS)
    for i, person in enumerate(people):
        structured.proposal_create(actor=person, session=session, title=f"제안 {i}")
    run_phase(session, PhaseKind.VOTE)
    structured.vote_configure(actor=host, session=session, method="approval")
    return {
        "session": session,
        "people": [host, *people],
        "cookies": [cookie_for(host), *(cookie_for(p) for p in people)],
    }


class Socket:
    """One participant's socket and everything it received."""

    def __init__(self, communicator: WebsocketCommunicator, role: int) -> None:
        self.communicator = communicator
        self.role = role
        self.received: list[dict[str, Any]] = []
        self.applied: list[tuple[str, int]] = []
        self.last_seq = 0

    async def drain_until_reply(self, msg_id: str | None, any_id: bool = False) -> dict[str, Any]:
        while True:
            msg = await self.communicator.receive_json_from(timeout=20)
            self.take(msg)
            if msg.get("type") in ("ack", "error") and (any_id or msg.get("id") in (msg_id, None)):
                return msg

    def take(self, msg: dict[str, Any]) -> None:
        """Apply a message as the browser client does: a duplicate seq is dropped."""
        self.received.append(msg)
        if msg.get("type") == "snapshot":
            self.last_seq = msg["seq"]
            self.applied.append(("snapshot", msg["seq"]))
        elif msg.get("seq") is not None and msg.get("type") not in ("ack", "error", "resync"):
            if msg["seq"] > self.last_seq:
                self.applied.append(("event", msg["seq"]))
                self.last_seq = msg["seq"]

    async def drain_queued(self) -> None:
        while not await self.communicator.receive_nothing(timeout=0.05):
            self.take(await self.communicator.receive_json_from(timeout=5))


async def _run(room: dict[str, Any], plan: list[tuple[int, Any]]) -> None:
    from madang.asgi import application

    session = room["session"]
    sockets: list[Socket] = []
    for role, cookie in enumerate(room["cookies"]):
        communicator = WebsocketCommunicator(
            application,
            f"/ws/sessions/{session.pk}/",
            headers=[
                (b"origin", ORIGIN.encode()),
                (b"cookie", cookie.encode()),
                (b"host", b"127.0.0.1"),
            ],
        )
        accepted, _ = await communicator.connect(timeout=20)
        assert accepted
        sock = Socket(communicator, role)
        first = await communicator.receive_json_from(timeout=20)
        assert first["type"] == "snapshot"
        sock.take(first)
        sockets.append(sock)

    hidden_marks: dict[str, int] = {}  # text of a hidden statement -> index after which
    try:
        for n, (role, frame) in enumerate(plan):
            sock = sockets[role]
            msg_id = f"f{n}"
            if isinstance(frame, dict):
                body = dict(frame, id=msg_id)
                if body.get("text") == "MARK":
                    body["text"] = f"표시-{next(_marks)}"
                if body.get("after") == "LAST":
                    await sock.drain_queued()
                    body["after"] = sock.last_seq
                await sock.communicator.send_json_to(body)
                reply = await sock.drain_until_reply(msg_id)
                assert reply.get("id") == msg_id, reply
            else:
                await sock.communicator.send_to(text_data=frame or " ")
                reply = await sock.drain_until_reply(None, any_id=True)
            assert reply["type"] in ("ack", "error"), reply
            if reply["type"] == "error":
                assert isinstance(reply.get("message"), str) and reply["message"]
            if (
                isinstance(frame, dict)
                and frame["type"] == "statement.hide"
                and reply["type"] == "ack"
            ):
                text = await _statement_text(frame["statement_id"])
                if text:
                    for resident in sockets[1:]:
                        hidden_marks.setdefault(f"{resident.role}:{text}", len(resident.received))
        # every socket still answers, and closes any gap by resuming from its last seq
        for sock in sockets:
            await sock.drain_queued()
            await sock.communicator.send_json_to(
                {"type": "resume", "id": "last", "after": sock.last_seq}
            )
            assert (await sock.drain_until_reply("last"))["type"] == "ack"
    finally:
        for sock in sockets:
            try:
                await sock.communicator.disconnect(timeout=5)
            except BaseException:  # noqa: BLE001 - already closed
                pass

    # Invariant: each socket holds every numbered event from its snapshot on, once, in
    # order: no gap, no duplicate applied (a snapshot starts a new run).
    room_seq = await _room_seq(session.pk)
    for sock in sockets:
        run: list[int] = []
        start = 0
        for kind, seq in sock.applied:
            if kind == "snapshot":
                assert run == list(range(start + 1, start + 1 + len(run))), (sock.role, run)
                start, run = seq, []
            else:
                run.append(seq)
        assert run == list(range(start + 1, room_seq + 1)), (sock.role, start, run, room_seq)
    # Invariant: a hidden statement's text never reaches a resident after it was hidden
    # (unless a facilitator restored it).
    still_hidden = await _hidden_texts(session.pk)
    for key, index in hidden_marks.items():
        role, text = key.split(":", 1)
        if text not in still_hidden:
            continue
        later = json.dumps(sockets[int(role)].received[index:], ensure_ascii=False)
        assert text not in later, (role, text)
    # Invariant: one ballot per person.
    assert await _ballots_per_person(session.pk) <= 1


async def _room_seq(session_id: int) -> int:
    from asgiref.sync import sync_to_async

    return int(
        await sync_to_async(
            lambda: Session.objects.values_list("last_seq", flat=True).get(pk=session_id)
        )()
    )


async def _statement_text(statement_id: Any) -> str:
    from asgiref.sync import sync_to_async

    if not isinstance(statement_id, int):
        return ""
    return await sync_to_async(
        lambda: (
            Statement.objects.filter(pk=statement_id).values_list("text", flat=True).first() or ""
        )
    )()


async def _hidden_texts(session_id: int) -> set[str]:
    from asgiref.sync import sync_to_async

    return set(
        await sync_to_async(
            lambda: list(
                Statement.objects.filter(session_id=session_id, status="hidden").values_list(
                    "text", flat=True
                )
            )
        )()
    )


async def _ballots_per_person(session_id: int) -> int:
    from asgiref.sync import sync_to_async
    from django.db.models import Count

    counts = await sync_to_async(
        lambda: list(
            Ballot.objects.filter(session_id=session_id)
            .values("voter_id")
            .annotate(n=Count("pk"))
            .values_list("n", flat=True)
        )
    )()
    return max(counts, default=0)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_random_frames_never_crash_a_socket_or_break_the_room(
    fuzz_room: dict[str, Any], plan: list[tuple[int, Any]]
) -> None:
    async_to_sync(_run)(fuzz_room, plan)
