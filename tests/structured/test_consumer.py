"""The deliberation over the real room socket (ASGI app with Origin, auth and cookies)."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson
import pytest
from channels.db import database_sync_to_async

from deliberation.agendas.models import Session
from deliberation.live.events import EVENT_TYPES, Event, encode
from deliberation.structured import events as structured_events
from deliberation.structured.models import Ballot, FrozenResults, Proposal
from tests import factories
from tests.live.conftest import Room, new_resident


@pytest.fixture
def delib_room_session(transactional_db: None) -> Session:
    agenda = factories.AgendaFactory()
    return factories.SessionFactory(
        agenda=agenda, kind=Session.Kind.DELIBERATION, state=Session.State.LIVE
    )


@pytest.fixture
async def droom(delib_room_session: Session) -> Any:
    host = await database_sync_to_async(factories.FacilitatorFactory)(
        organisation=delib_room_session.agenda.organisation
    )
    room = Room(session=delib_room_session, facilitator=host, clients=[])
    yield room
    await room.close_all()


def _phase_ids(snapshot: dict[str, Any]) -> dict[str, int]:
    return {p["kind"]: p["id"] for p in snapshot["parts"]["deliberation"]["phases"]}


async def test_a_deliberation_walk_over_the_socket(droom: Room) -> None:
    host = await droom.join(droom.facilitator)
    a_user, b_user = await new_resident(), await new_resident()
    a, b = await droom.join(a_user), await droom.join(b_user)
    part = a.snapshot["parts"]["deliberation"]
    assert [p["label"] for p in part["phases"]] == [
        "안내·학습",
        "의견 나누기",
        "제안",
        "투표",
        "정리",
    ]
    assert part["role"] == "participant" and host.snapshot["parts"]["deliberation"]["role"] == (
        "facilitator"
    )
    phases = _phase_ids(a.snapshot)

    await host.ok("phase.start")
    changed = await b.event("phase.changed")
    assert changed["current_id"] == phases["briefing"] and changed["seq"] > 0
    refused = await a.fail("proposal.create", "forbidden", title="너무 이른 제안")
    assert "'제안' 단계에서" in refused["message"]
    await a.ok("deliberation.post", client_msg_id="q1", text="예산은?", stance="question")
    counts = await b.wait_for(lambda m: m.get("type") == "stance.counts")
    assert counts["counts"]["question"] == 1 and "seq" not in counts

    await host.ok("phase.start", phase_id=phases["proposals"])
    await b.event("phase.changed", current_id=phases["proposals"])
    first = await a.ok("proposal.create", title="청년 해외 인턴십", body="<p>늘려 주세요</p>")
    dup = await b.ok("proposal.create", title="해외 인턴십 확대")
    created = await host.event("proposal.created")
    assert created["proposal"]["title"] == "청년 해외 인턴십"
    await b.ok("proposal.support", proposal_id=first["proposal_id"])
    merged = await host.ok(
        "proposal.merge", target_id=first["proposal_id"], source_ids=[dup["proposal_id"]]
    )
    assert merged["supporters"] == 2
    event = await a.event("proposal.merged")
    assert event["merged_ids"] == [dup["proposal_id"]] and event["target"]["supporters"] == 2
    third = await b.ok("proposal.create", title="자매도시 청년 교류")

    await host.ok("vote.config", method="ranking", top_k=2)
    await host.ok("phase.advance")
    await a.event("phase.changed", current_id=phases["vote"])
    ack = await a.ok("ballot.submit", proposal_ids=[third["proposal_id"], first["proposal_id"]])
    assert ack["proposal_ids"] == [third["proposal_id"], first["proposal_id"]]
    tally = await b.event("vote.tally")
    assert tally["ballots"] == 1 and tally["results"][0]["proposal_id"] == third["proposal_id"]

    poll = await host.ok("poll.create", question="오늘 만족하셨나요?", options=["예", "아니오"])
    opened = await a.event("poll.opened")
    yes = opened["poll"]["options"][0]["id"]
    await a.ok("poll.vote", poll_id=poll["poll_id"], option_ids=[yes])
    await b.ok("poll.vote", poll_id=poll["poll_id"], option_ids=[yes])
    live = await host.wait_for(
        lambda m: m.get("type") == "poll.results" and m.get("voters") == 2, timeout=5
    )
    assert live["counts"][str(yes)] == 2 and "seq" not in live
    await host.ok("poll.close", poll_id=poll["poll_id"])
    closed = await b.event("poll.closed")
    assert closed["poll"]["status"] == "closed" and closed["poll"]["voters"] == 2

    await host.ok("phase.advance")
    await a.event("vote.closed")
    await host.ok("wrapup.set", conclusion="<p>인턴십 확대를 건의합니다.</p>")
    await b.event("wrapup.updated")
    await host.ok("room.close")
    frozen = await a.event("results.frozen")
    assert frozen["results"]["vote"]["results"][0]["proposal_id"] == third["proposal_id"]
    assert frozen["results"]["polls"][0]["voters"] == 2
    assert frozen["results"]["stances"]["question"] == 1
    for client in (host, a, b):
        seqs = [m["seq"] for m in client.numbered()]
        assert seqs == sorted(set(seqs))
    assert await database_sync_to_async(
        FrozenResults.objects.filter(session=droom.session).exists
    )()


async def test_bad_input_gets_clear_errors_and_changes_nothing(droom: Room) -> None:
    host = await droom.join(droom.facilitator)
    resident = await new_resident()
    a = await droom.join(resident)
    phases = _phase_ids(a.snapshot)
    # Staff actions from a resident.
    for action, fields in (
        ("phase.start", {}),
        ("phase.extend", {"seconds": 60}),
        ("proposal.merge", {"target_id": 1, "source_ids": [2]}),
        ("poll.create", {"question": "?", "options": ["a", "b"]}),
        ("vote.config", {"method": "approval"}),
        ("wrapup.set", {"conclusion": "결론"}),
        ("question.answer", {"statement_id": 1}),
    ):
        await a.fail(action, "forbidden", **fields)
    # Wrong field types and values.
    await host.fail("phase.extend", "bad_field", seconds="60")
    await host.fail("phase.extend", "bad_field", seconds=0)
    await host.fail("phase.extend", "no_running_phase", seconds=60)
    await host.fail("phase.start", "not_found", phase_id=987654)
    await host.fail("phases.update", "bad_field", phases="all")
    await host.fail("phases.update", "empty", phases=[])
    await host.fail("vote.config", "invalid", method="plurality")
    await host.fail("vote.config", "bad_field", method="ranking", top_k=99)
    await host.fail("poll.create", "out_of_range", question="하나?", options=["하나"])
    await host.fail("poll.create", "bad_field", question="?", options="a,b")
    await host.ok("phase.start", phase_id=phases["vote"])
    await a.fail("ballot.submit", "bad_field", proposal_ids="1,2")
    await a.fail("ballot.submit", "bad_field", proposal_ids=[True])
    await a.fail("ballot.submit", "empty", proposal_ids=[])
    await a.fail("ballot.submit", "foreign_option", proposal_ids=[123456])
    await a.fail("poll.vote", "not_found", poll_id=5555, option_ids=[1])
    await a.fail("deliberation.post", "forbidden", text="찬성", stance="for")
    await a.fail("deliberation.post", "invalid", text="음", stance="maybe")
    await host.ok("vote.close")
    await a.fail("ballot.submit", "vote_closed", proposal_ids=[1])
    count = await database_sync_to_async(
        lambda: (Ballot.objects.count(), Proposal.objects.count())
    )()
    assert count == (0, 0)
    # The connection stays usable after every error.
    await a.ok("ping")


def test_every_deliberation_event_round_trips_through_json() -> None:
    samples: dict[str, Event] = {
        "phase.changed": structured_events.PhasesChanged(
            reason="start",
            phases=[{"id": 1, "kind": "briefing", "label": "안내·학습"}],
            current_id=1,
        ),
        "proposal.created": structured_events.ProposalCreated(proposal={"id": 1, "title": "제안"}),
        "proposal.updated": structured_events.ProposalUpdated(proposal={"id": 1, "supporters": 3}),
        "proposal.merged": structured_events.ProposalsMerged(target={"id": 1}, merged_ids=[2, 3]),
        "vote.config": structured_events.VoteConfigured(config={"method": "ranking", "top_k": 3}),
        "vote.tally": structured_events.VoteTally(ballots=2, results=None),
        "vote.closed": structured_events.VoteClosed(ballots=2, results=[{"proposal_id": 1}]),
        "staff.vote_tally": structured_events.StaffVoteTally(ballots=1, results=[]),
        "poll.opened": structured_events.PollOpened(poll={"id": 1, "question": "만족?"}),
        "poll.results": structured_events.PollResults(poll_id=1, voters=2, counts={"3": 2}),
        "poll.closed": structured_events.PollClosed(poll={"id": 1, "status": "closed"}),
        "stance.counts": structured_events.StanceCounts(counts={"for": 1, "against": 0}),
        "wrapup.updated": structured_events.WrapUpUpdated(conclusion_html="<p>결론</p>"),
        "results.frozen": structured_events.ResultsFrozen(results={"vote": {"results": []}}),
    }
    ours = {t for t, cls in EVENT_TYPES.items() if cls.__module__ == structured_events.__name__}
    assert ours == set(samples)
    for type_, event in samples.items():
        text = encode(event.to_dict())
        assert "\\u" not in text  # Korean travels as UTF-8
        back = Event.from_dict(orjson.loads(text))
        assert back == event and back.type == type_
        assert dataclasses.is_dataclass(back)


@pytest.mark.redis
async def test_live_poll_bars_over_redis(droom: Room, redis_channel_layer: Any) -> None:
    """With the Redis pub/sub layer, coalesced counts still reach every socket."""
    host = await droom.join(droom.facilitator)
    voters = [await droom.join(await new_resident()) for _ in range(3)]
    poll = await host.ok("poll.create", question="점심은?", options=["밥", "면"], kind="single")
    opened = await voters[0].event("poll.opened")
    rice = opened["poll"]["options"][0]["id"]
    for v in voters:
        await v.ok("poll.vote", poll_id=poll["poll_id"], option_ids=[rice])
    final = await host.wait_for(
        lambda m: m.get("type") == "poll.results" and m.get("voters") == 3, timeout=5
    )
    assert final["counts"][str(rice)] == 3


async def test_hidden_results_reach_only_the_facilitators_until_the_close(droom: Room) -> None:
    host = await droom.join(droom.facilitator)
    a = await droom.join(await new_resident())
    phases = _phase_ids(a.snapshot)
    await host.ok("phase.start", phase_id=phases["proposals"])
    first = await a.ok("proposal.create", title="하나")
    await host.ok("vote.config", method="approval", hide_results=True)
    await host.ok("phase.advance")
    start = len(a.messages)
    await a.ok("ballot.submit", proposal_ids=[first["proposal_id"]])
    tally = await a.wait_for(lambda m: m.get("type") == "vote.tally", start=start)
    assert tally["results"] is None and tally["ballots"] == 1
    staff = await host.wait_for(lambda m: m.get("type") == "staff.vote_tally")
    assert staff["results"][0]["votes"] == 1 and "seq" not in staff
    assert not any(m.get("type") == "staff.vote_tally" for m in a.messages)
    await host.ok("vote.close")
    closed = await a.event("vote.closed")
    assert closed["results"][0]["proposal_id"] == first["proposal_id"]


async def test_a_long_wrap_up_fits_a_facilitators_frame_but_not_a_residents(
    droom: Room,
) -> None:
    host = await droom.join(droom.facilitator)
    a = await droom.join(await new_resident())
    # 9,000 characters of Korean (a wrap-up holds up to 10,000): over 16 KB of UTF-8.
    conclusion = "<p>" + "청년 해외 일자리 연계를 확대합니다. " * 450 + "</p>"
    assert 16 * 1024 < len(conclusion.encode()) < 160 * 1024
    await host.ok("wrapup.set", conclusion=conclusion)
    updated = await a.event("wrapup.updated")
    assert "청년 해외 일자리" in orjson.dumps(updated).decode()
    start = len(a.messages)
    frame = orjson.dumps({"type": "wrapup.set", "id": "w1", "conclusion": conclusion}).decode()
    await a.send_raw(frame)
    error = await a.wait_for(lambda m: m.get("type") == "error", start=start)
    assert error["code"] == "too_large" and error["limit"] == 16 * 1024
    await a.ok("ping")
