"""What one join into a live room costs the database, and that sharing the room's read
between people joining at one seq changes nothing they are shown.

A reconnect storm brings a thousand joins at once; each must be a handful of reads. Set
MADANG_JOIN_COST=1 to print the queries and the time per join (with -s).
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliberation.agendas.models import Session
from deliberation.live import consumers
from deliberation.live.models import Participant, Statement
from deliberation.people.identity import resident_from_token, resident_token
from deliberation.structured import selectors as structured_selectors
from deliberation.structured.models import Poll, PollOption, PollVote, Proposal, Support
from tests import factories

WRITES = ("INSERT", "UPDATE", "DELETE")


def _socket(session: Session, user: Any, *, token: str | None = None) -> consumers.RoomSocket:
    scope: dict[str, Any] = {"url_route": {"kwargs": {"session_id": session.pk}}, "user": user}
    if token is not None:
        scope["resident_token"] = token
    return consumers.RoomSocket(scope, None, None)


def _forget_shared_reads() -> None:
    consumers._shared_states.clear()
    structured_selectors._room_part.clear()


@pytest.fixture
def busy_deliberation(db: Any) -> Session:
    """A live deliberation with statements, proposals (one supported) and answered polls."""
    session = factories.SessionFactory(
        kind=Session.Kind.DELIBERATION, state=Session.State.LIVE, last_seq=40
    )
    authors = [factories.ResidentFactory() for _ in range(5)]
    for i in range(30):
        Statement.objects.create(
            session=session,
            author=authors[i % 5],
            text=f"발언 {i}",
            seq=i + 1,
            client_msg_id=f"m{i}",
        )
    proposals = [
        Proposal.objects.create(session=session, author=authors[i % 5], title=f"제안 {i}")
        for i in range(6)
    ]
    Support.objects.create(proposal=proposals[0], person=authors[0])
    for i in range(3):
        poll = Poll.objects.create(session=session, question=f"질문 {i}")
        options = [
            PollOption.objects.create(poll=poll, label=f"보기 {j}", order=j) for j in range(3)
        ]
        vote = PollVote.objects.create(poll=poll, person=authors[i])
        vote.options.set(options[:1])
    _forget_shared_reads()
    return session


def _join(session: Session, user: Any) -> dict[str, Any]:
    """Join as a resident: the cookie lookup, the authorisation, the snapshot."""
    token = resident_token(user)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as cookie:
        person = resident_from_token(token)
    socket = _socket(session, person, token=token)
    with CaptureQueriesContext(connection) as authorize:
        identity = socket._authorize()
    assert identity is not None
    socket.staff = identity["staff"]
    with CaptureQueriesContext(connection) as snapshot:
        data = socket._snapshot()
    seconds = time.perf_counter() - started
    if os.environ.get("MADANG_JOIN_COST"):
        print(
            f"\n[join cost] cookie {len(cookie)}, authorize {len(authorize)}, "
            f"snapshot {len(snapshot)} queries; {seconds * 1000:.1f} ms"
        )
        for ctx in (cookie, authorize, snapshot):
            for query in ctx.captured_queries:
                print("   ", query["sql"][:140])
    return {"authorize": authorize, "snapshot": snapshot, "data": data}


def _writes(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if q["sql"].lstrip().startswith(WRITES)]


def test_a_returning_resident_joins_without_writing(busy_deliberation: Session) -> None:
    resident = factories.ResidentFactory()
    first = _join(busy_deliberation, resident)
    assert _writes(first["authorize"])  # the first visit records the participant
    again = _join(busy_deliberation, resident)
    assert _writes(again["authorize"]) == []
    assert len(again["authorize"].captured_queries) <= 2
    assert Participant.objects.filter(session=busy_deliberation, person=resident).count() == 1


def test_a_removed_resident_coming_back_is_no_longer_removed(busy_deliberation: Session) -> None:
    resident = factories.ResidentFactory()
    _join(busy_deliberation, resident)
    Participant.objects.filter(session=busy_deliberation, person=resident).update(removed=True)
    _join(busy_deliberation, resident)
    assert not Participant.objects.get(session=busy_deliberation, person=resident).removed


def test_a_banned_resident_is_still_refused(busy_deliberation: Session) -> None:
    resident = factories.ResidentFactory()
    _join(busy_deliberation, resident)
    Participant.objects.filter(session=busy_deliberation, person=resident).update(banned=True)
    assert _socket(busy_deliberation, resident)._authorize() is None


def test_residents_joining_at_one_seq_share_the_room_read(busy_deliberation: Session) -> None:
    first, second = factories.ResidentFactory(), factories.ResidentFactory()
    cold = _join(busy_deliberation, first)
    warm = _join(busy_deliberation, second)
    # The second join reads only what is the person's own (and the poll counts).
    assert len(warm["snapshot"].captured_queries) < len(cold["snapshot"].captured_queries) / 2
    _forget_shared_reads()
    fresh = _join(busy_deliberation, second)
    shared, alone = dict(warm["data"]), dict(fresh["data"])
    for snapshot in (shared, alone):
        snapshot.pop("now")
    assert shared == alone
    part = shared["parts"]["deliberation"]
    assert part["proposals"][0]["supporters"] == 1
    assert [p["voters"] for p in part["polls"]] == [1, 1, 1]


def test_a_poll_answer_shows_in_the_next_shared_snapshot(busy_deliberation: Session) -> None:
    """Poll answers carry no seq: their counts are read for every snapshot."""
    first, second = factories.ResidentFactory(), factories.ResidentFactory()
    _join(busy_deliberation, first)
    poll = Poll.objects.filter(session=busy_deliberation).order_by("pk").first()
    assert poll is not None
    option = poll.options.order_by("pk").last()
    assert option is not None
    vote = PollVote.objects.create(poll=poll, person=second)
    vote.options.set([option])
    data = _join(busy_deliberation, second)["data"]
    part = data["parts"]["deliberation"]
    assert part["polls"][0]["voters"] == 2
    assert part["polls"][0]["counts"][str(option.pk)] == 1
    assert part["my_poll_answers"] == {str(poll.pk): [option.pk]}
