"""Ballot attacks over the room socket (promise 4: one person, one ballot): empty ballots,
duplicated options, another poll's or session's options, out-of-range ranks, ballots
after the close, and fifty concurrent copies from several sockets of one person."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from deliberation.agendas.models import Session
from deliberation.structured import services as structured
from deliberation.structured.models import Ballot, BallotChoice, PhaseKind, Poll, PollVote
from tests.structured.conftest import run_phase

from .conftest import Connect, ask, cookie_for, reply_to

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Vote:
    session: Session
    proposals: list[int]
    foreign_proposal: int
    poll: Poll
    other_poll: Poll
    voter_cookie: str
    voter_id: int
    facilitator_cookie: str


@pytest.fixture
def vote(
    transactional_db: Any,
    session_factory: Any,
    facilitator_factory: Any,
    resident_factory: Any,
    organisation_factory: Any,
) -> Vote:
    """A live deliberation in its vote phase (ranking, top 2) and two open polls."""
    org = organisation_factory()
    session = session_factory(
        agenda__organisation=org, kind=Session.Kind.DELIBERATION, state=Session.State.LIVE
    )
    other = session_factory(
        agenda__organisation=org, kind=Session.Kind.DELIBERATION, state=Session.State.LIVE
    )
    host = facilitator_factory(organisation=org)
    authors = [resident_factory(region=org) for _ in range(3)]
    voter = resident_factory(region=org)
    run_phase(session, PhaseKind.PROPOSALS)
    run_phase(other, PhaseKind.PROPOSALS)
    proposals = [
        structured.proposal_create(actor=a, session=session, title=f"제안 {i}").pk
        for i, a in enumerate(authors)
    ]
    foreign = structured.proposal_create(actor=authors[0], session=other, title="남의 제안").pk
    run_phase(session, PhaseKind.VOTE)
    structured.vote_configure(actor=host, session=session, method="ranking", top_k=2)
    poll = structured.poll_create(
        actor=host, session=session, question="좋아요?", options=["예", "아니요"]
    )
    other_poll = structured.poll_create(
        actor=host, session=session, question="다른 질문", options=["가", "나"]
    )
    return Vote(
        session=session,
        proposals=proposals,
        foreign_proposal=foreign,
        poll=poll,
        other_poll=other_poll,
        voter_cookie=cookie_for(voter),
        voter_id=voter.pk,
        facilitator_cookie=cookie_for(host),
    )


@sync_to_async
def ballots_of(session_id: int, voter_id: int) -> list[list[tuple[int, int | None]]]:
    return [
        list(
            BallotChoice.objects.filter(ballot=b)
            .order_by("rank", "proposal_id")
            .values_list("proposal_id", "rank")
        )
        for b in Ballot.objects.filter(session_id=session_id, voter_id=voter_id)
    ]


@sync_to_async
def poll_answers(voter_id: int) -> list[list[int]]:
    return [
        sorted(v.options.values_list("pk", flat=True))
        for v in PollVote.objects.filter(person_id=voter_id)
    ]


async def test_bad_ballots_are_refused_and_change_nothing(ws: Connect, vote: Vote) -> None:
    sock, accepted, _ = await ws(vote.session.pk, cookie=vote.voter_cookie)
    assert accepted
    p1, p2, p3 = vote.proposals
    bad = [
        [],
        [p1, p1],
        [vote.foreign_proposal],
        [p1, vote.foreign_proposal],
        [p1, p2, p3],  # three ranks where the vote allows two
        [0],
        [-1],
        [2**63],
        ["1"],
        [1.5],
        [None],
        [[p1]],
        "p1",
        {"1": p1},
        None,
    ]
    for n, choice in enumerate(bad):
        reply = await ask(sock, "ballot.submit", f"bad{n}", proposal_ids=choice)
        assert reply["type"] == "error", (choice, reply)
        assert reply["message"]
    assert await ballots_of(vote.session.pk, vote.voter_id) == []

    options = list(
        await sync_to_async(lambda: list(vote.poll.options.values_list("pk", flat=True)))()
    )
    foreign_options = await sync_to_async(
        lambda: list(vote.other_poll.options.values_list("pk", flat=True))
    )()
    bad_answers = [[], [options[0], options[0]], [foreign_options[0]], options, [10**12]]
    for n, choice in enumerate(bad_answers):
        reply = await ask(sock, "poll.vote", f"poll{n}", poll_id=vote.poll.pk, option_ids=choice)
        assert reply["type"] == "error", (choice, reply)
    assert await poll_answers(vote.voter_id) == []

    # a good ballot then counts, once
    reply = await ask(sock, "ballot.submit", "good", proposal_ids=[p2, p1])
    assert reply["type"] == "ack", reply
    assert await ballots_of(vote.session.pk, vote.voter_id) == [[(p2, 1), (p1, 2)]]


async def test_ballots_after_the_close_are_refused(ws: Connect, vote: Vote) -> None:
    sock, accepted, _ = await ws(vote.session.pk, cookie=vote.voter_cookie)
    host, host_ok, _ = await ws(vote.session.pk, cookie=vote.facilitator_cookie)
    assert accepted and host_ok
    assert (await ask(host, "vote.close", "close"))["type"] == "ack"
    assert (await ask(host, "poll.close", "pclose", poll_id=vote.poll.pk))["type"] == "ack"
    reply = await ask(sock, "ballot.submit", "late", proposal_ids=[vote.proposals[0]])
    assert reply["type"] == "error", reply
    option = await sync_to_async(lambda: vote.poll.options.values_list("pk", flat=True)[0])()
    reply = await ask(sock, "poll.vote", "late-poll", poll_id=vote.poll.pk, option_ids=[option])
    assert reply["type"] == "error", reply
    assert await ballots_of(vote.session.pk, vote.voter_id) == []
    assert await poll_answers(vote.voter_id) == []


async def test_fifty_concurrent_copies_make_one_ballot(ws: Connect, vote: Vote) -> None:
    sockets = []
    for _ in range(5):
        sock, accepted, _ = await ws(vote.session.pk, cookie=vote.voter_cookie)
        assert accepted
        sockets.append(sock)
    p1, p2, _ = vote.proposals
    option = await sync_to_async(lambda: vote.poll.options.values_list("pk", flat=True)[0])()

    async def burst(sock: Any, frames: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """Send every frame at once, then collect the replies (resending rate-limited ones)."""
        replies: list[dict[str, Any]] = []
        waiting = dict(frames)
        while waiting:
            for msg_id, frame in waiting.items():
                await sock.send_json_to({"id": msg_id, **frame})
            retry: dict[str, dict[str, Any]] = {}
            for _ in range(len(waiting)):
                reply = await reply_to(sock, None, any_id=True)
                if reply.get("code") == "rate_limited":
                    retry[reply["id"]] = waiting[reply["id"]]
                else:
                    replies.append(reply)
            waiting = retry
            if waiting:
                await asyncio.sleep(1)  # the server's retry_after pacing
        return replies

    ballot = {"type": "ballot.submit", "proposal_ids": [p1, p2]}
    answer = {"type": "poll.vote", "poll_id": vote.poll.pk, "option_ids": [option]}
    for frame in (ballot, answer):
        results = await asyncio.gather(
            *(
                burst(s, {f"{frame['type']}-{k}-{n}": frame for n in range(10)})
                for k, s in enumerate(sockets)
            )
        )
        replies = [r for batch in results for r in batch]
        assert len(replies) == 50
        assert all(r["type"] == "ack" for r in replies), [r for r in replies if r["type"] != "ack"]
    assert await ballots_of(vote.session.pk, vote.voter_id) == [[(p1, 1), (p2, 2)]]
    assert await poll_answers(vote.voter_id) == [[option]]
