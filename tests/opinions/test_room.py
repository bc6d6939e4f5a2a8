"""Voting on statements in a live room: the switch, votes, counts, the map, the close."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from deliberation.opinions import live
from deliberation.opinions.models import OpinionRoom, StatementVote
from tests.live.conftest import Room, new_resident


@pytest.fixture(autouse=True)
def _quick_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "REFRESH_SECONDS", 0.3)
    monkeypatch.setattr("deliberation.opinions.services.FRESH_SECONDS", 0.0)


async def test_residents_vote_once_each_changeably_and_counts_reach_the_console(room: Room) -> None:
    staff = await room.join(room.facilitator)
    author = await room.join(await new_resident())
    voter = await room.join(await new_resident())
    sid = (await author.ok("statement.post", client_msg_id="a", text="공원을 늘립시다"))[
        "statement_id"
    ]
    await voter.fail("opinion.vote", "voting_off", statement_id=sid, value="agree")
    await voter.fail("opinion.voting", "forbidden", enabled=True)
    await staff.ok("opinion.voting", enabled=True)
    config = await voter.event("opinion.config", voting=True)
    assert "seq" in config  # numbered: replayed on resume
    await author.fail("opinion.vote", "own_statement", statement_id=sid, value="agree")
    await voter.fail("opinion.vote", "bad_field", statement_id=sid, value="maybe")
    assert (await voter.ok("opinion.vote", statement_id=sid, value="agree"))["value"] == "agree"
    await staff.wait_for(
        lambda m: m.get("type") == "opinion.counts" and m["counts"].get(str(sid)) == [1, 0, 0]
    )
    await voter.ok("opinion.vote", statement_id=sid, value="disagree")
    await staff.wait_for(
        lambda m: m.get("type") == "opinion.counts" and m["counts"].get(str(sid)) == [0, 1, 0]
    )
    # Phones show no counts: residents are not sent them.
    assert not [m for m in author.messages if m.get("type") == "opinion.counts"]
    assert await database_sync_to_async(StatementVote.objects.count)() == 1
    # A reconnect brings back the switch, the person's own vote and the counts.
    again = await room.join(voter_user := await database_sync_to_async(_user_of)(sid, -1))
    part = again.snapshot["parts"]["opinions"]
    assert part["voting"] is True
    assert part["mine"] == {str(sid): "disagree"}
    assert voter_user.pk != (await database_sync_to_async(_author_of)(sid))


def _user_of(statement_id: int, value: int):
    return (
        StatementVote.objects.select_related("person")
        .get(statement_id=statement_id, value=value)
        .person
    )


def _author_of(statement_id: int) -> int:
    from deliberation.live.models import Statement

    return Statement.objects.get(pk=statement_id).author_id


async def test_a_statement_put_up_for_a_vote_reaches_every_phone(room: Room) -> None:
    staff = await room.join(room.facilitator)
    author = await room.join(await new_resident())
    phone = await room.join(await new_resident())
    sid = (await author.ok("statement.post", client_msg_id="f", text="야간 버스를 늘려 주세요"))[
        "statement_id"
    ]
    await staff.ok("opinion.feature", statement_id=sid)
    config = await phone.wait_for(
        lambda m: m.get("type") == "opinion.config" and m.get("featured") is not None
    )
    assert config["voting"] is True
    assert config["featured"]["text"] == "야간 버스를 늘려 주세요"
    late = await room.join(await new_resident())
    assert late.snapshot["parts"]["opinions"]["featured"]["id"] == sid
    await staff.ok("opinion.feature", statement_id=None)
    await phone.wait_for(lambda m: m.get("type") == "opinion.config" and m["featured"] is None)


async def test_the_map_follows_the_votes_and_is_frozen_at_the_close(room: Room) -> None:
    staff = await room.join(room.facilitator)
    await staff.ok("opinion.voting", enabled=True)
    authors = [await room.join(await new_resident()) for _ in range(2)]
    sids = []
    for i, a in enumerate(authors):
        for j in range(3):
            ack = await a.ok("statement.post", client_msg_id=f"s{i}{j}", text=f"발언 {i}-{j}")
            sids.append(ack["statement_id"])
    voters = [await room.join(await new_resident()) for _ in range(8)]
    for n, v in enumerate(voters):
        side = 1 if n < 4 else -1
        for k, sid in enumerate(sids):
            value = side if k % 2 == 0 else -side
            await v.ok("opinion.vote", statement_id=sid, value=value)
    dots = await staff.wait_for(
        lambda m: m.get("type") == "opinion.map" and len(m["dots"]) >= 8, timeout=10
    )
    assert {d[2] for d in dots["dots"]} >= {0, 1}
    groups = await voters[0].wait_for(
        lambda m: m.get("type") == "opinion.groups" and len(m["summary"]["groups"]) == 2,
        timeout=10,
    )
    assert "dots" not in groups and "participants" not in groups["summary"]
    mine_first = await voters[0].event("opinion.mine")
    mine_last = await voters[-1].event("opinion.mine")
    assert mine_first["group"] != mine_last["group"]
    await staff.ok("room.close")
    stored = await database_sync_to_async(OpinionRoom.objects.get)(session=room.session)
    assert stored.final is True
    assert len(stored.result["groups"]) == 2
