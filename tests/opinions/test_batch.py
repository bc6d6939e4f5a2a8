"""Votes are stored a room's batch at a time: one transaction, each vote acknowledged
only once it is stored, a failed batch answered with a retryable error."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import OperationalError

from deliberation.live.actions import ActionError
from deliberation.live.models import Statement
from deliberation.opinions import batch
from deliberation.opinions.models import OpinionRoom, StatementVote
from tests.live.conftest import Room, new_resident


def _statements(room: Room, authors: list[Any], n: int) -> list[int]:
    ids = []
    for i in range(n):
        s = Statement.objects.create(
            session=room.session,
            author=authors[i % len(authors)],
            client_msg_id=f"b{i}",
            text=f"발언 {i}",
            seq=i + 1,
        )
        ids.append(s.pk)
    OpinionRoom.objects.update_or_create(session=room.session, defaults={"voting": True})
    return ids


def _stored(session_id: int) -> dict[tuple[int, int], int]:
    return {
        (v.person_id, v.statement_id): v.value
        for v in StatementVote.objects.filter(session_id=session_id)
    }


@pytest.fixture
def stores(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many votes each stored batch held."""
    sizes: list[int] = []
    real = batch._store

    def counted(session_id: int, votes: list[tuple[int, int, int]]) -> Any:
        sizes.append(len(votes))
        return real(session_id, votes)

    monkeypatch.setattr(batch, "_store", counted)
    return sizes


async def test_many_peoples_votes_are_stored_in_one_transaction_last_vote_wins(
    room: Room, stores: list[int]
) -> None:
    author = await new_resident()
    voters = [await new_resident() for _ in range(12)]
    sids = await database_sync_to_async(_statements)(room, [author], 4)
    sid = room.session.pk
    answers = []
    expected: dict[tuple[int, int], int] = {}
    for n, voter in enumerate(voters):
        for k, statement in enumerate(sids):
            value = 1 if (n + k) % 2 == 0 else -1
            answers.append(batch.submit(sid, voter.pk, statement, value))
            expected[(voter.pk, statement)] = value
    # One person changes their mind within the batch; the author may not vote on their own.
    answers.append(batch.submit(sid, voters[0].pk, sids[0], 0))
    expected[(voters[0].pk, sids[0])] = 0
    own = batch.submit(sid, author.pk, sids[1], 1)
    results = await asyncio.gather(*answers)
    with pytest.raises(ActionError) as refused:
        await own
    assert refused.value.code == "own_statement"
    assert stores == [len(answers) + 1]  # 50 votes, one transaction
    assert results[0] == 1 and results[-1] == 0  # both acknowledged, in order
    assert await database_sync_to_async(_stored)(sid) == expected


async def test_a_vote_is_acknowledged_only_after_its_batch_commits(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    author = await new_resident()
    voter = await room.join(await new_resident())
    [statement] = await database_sync_to_async(_statements)(room, [author], 1)
    started, release = threading.Event(), threading.Event()
    real = batch._store

    def held(session_id: int, votes: list[tuple[int, int, int]]) -> Any:
        started.set()
        release.wait(10)
        return real(session_id, votes)

    monkeypatch.setattr(batch, "_store", held)
    start = len(voter.messages)
    frame = {"type": "opinion.vote", "id": "v1", "statement_id": statement, "value": "agree"}
    await voter.send_raw(json.dumps(frame))
    assert await asyncio.to_thread(started.wait, 10)
    # The batch is being written: no ack yet, nothing stored yet.
    await asyncio.sleep(0.2)
    assert not [m for m in voter.messages[start:] if m.get("id") == "v1"]
    assert await database_sync_to_async(_stored)(room.session.pk) == {}
    release.set()
    ack = await voter.wait_for(lambda m: m.get("id") == "v1", start=start)
    assert ack["type"] == "ack" and ack["value"] == "agree"
    stored = await database_sync_to_async(_stored)(room.session.pk)
    assert list(stored.values()) == [1]


async def test_a_failed_batch_is_answered_with_a_retryable_error_and_the_retry_is_stored(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    author = await new_resident()
    voters = [await room.join(await new_resident()) for _ in range(3)]
    [statement] = await database_sync_to_async(_statements)(room, [author], 1)
    real = batch._store

    def down(session_id: int, votes: list[tuple[int, int, int]]) -> Any:
        raise OperationalError("database is unavailable")

    monkeypatch.setattr(batch, "_store", down)
    replies = await asyncio.gather(
        *(v.request("opinion.vote", statement_id=statement, value="agree") for v in voters)
    )
    for reply in replies:
        assert reply["type"] == "error" and reply["retryable"] is True, reply
        assert reply["message"]
    assert await database_sync_to_async(_stored)(room.session.pk) == {}
    monkeypatch.setattr(batch, "_store", real)
    for v in voters:
        await v.ok("opinion.vote", statement_id=statement, value="agree")
    assert len(await database_sync_to_async(_stored)(room.session.pk)) == 3


async def test_a_refused_vote_does_not_fail_the_others_in_its_batch(room: Room) -> None:
    author = await new_resident()
    banned = await new_resident()
    ok = await new_resident()
    [statement] = await database_sync_to_async(_statements)(room, [author], 1)

    def ban() -> None:
        from deliberation.live.models import Participant

        Participant.objects.create(session=room.session, person=banned, banned=True)

    await database_sync_to_async(ban)()
    sid = room.session.pk
    refused = batch.submit(sid, banned.pk, statement, 1)
    missing = batch.submit(sid, ok.pk, statement + 999, 1)
    stored = batch.submit(sid, ok.pk, statement, -1)
    assert await stored == -1
    for answer, code in ((refused, "access_lost"), (missing, "not_found")):
        with pytest.raises(ActionError) as err:
            await answer
        assert err.value.code == code
    assert await database_sync_to_async(_stored)(sid) == {(ok.pk, statement): -1}
