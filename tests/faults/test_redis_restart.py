"""Redis is SIGKILLed and restarted while 20 residents each post 50 statements through two
Daphne workers. Nothing acknowledged is lost, nothing is stored twice, clients are told
(close 1012/4013 or resync) and every client ends holding exactly the stored room,
unnumbered state included: reaction counts and presence changed while Redis was down are
right everywhere after it is back."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import statistics
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from .conftest import ORIGIN
from .room_client import RoomClient
from .scenario import Ledger, post_many, room_record, settle_and_judge, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

RESIDENTS = 20
STATEMENTS_EACH = 50


async def until_acknowledged(client: RoomClient, action: str, **fields: Any) -> dict[str, Any]:
    """Send an action until acknowledged, waiting as a retryable error asks (rate limit)."""
    for _attempt in range(20):
        reply = await client.request(action, **fields)
        if reply["type"] == "ack":
            return reply
        assert reply.get("retryable"), reply
        await asyncio.sleep(float(reply.get("retry_after") or 0.2))  # the server's own wait
    raise AssertionError(f"{client.name}: {action} never acknowledged")


@sync_to_async
def stored_reactions(statement_id: int, kind: str) -> int:
    from deliberation.live.models import Reaction

    return Reaction.objects.filter(statement_id=statement_id, kind=kind).count()


async def test_redis_sigkill_and_restart_loses_nothing_acknowledged(
    make_room: Any, private_redis: Any, workers: Any, record_figures: Any
) -> None:
    room = await asyncio.to_thread(make_room, RESIDENTS + 1)  # the last one leaves in the outage
    servers = await asyncio.to_thread(workers, 2, redis_url=private_redis.url)
    turn = itertools.count()

    def url_for(index: int) -> Any:
        # each client keeps its worker; a restart of Redis does not move anyone
        return lambda: servers[index % 2].ws_url(room.path)

    clients = [
        RoomClient(url_for(i), cookie=cookie, origin=ORIGIN, name=f"r{i}")
        for i, cookie in enumerate(room.cookies[:RESIDENTS])
    ]
    staff = RoomClient(url_for(0), cookie=room.facilitator_cookie, origin=ORIGIN, name="staff")
    leaver = RoomClient(url_for(1), cookie=room.cookies[RESIDENTS], origin=ORIGIN, name="leaver")
    await asyncio.gather(*(c.connect() for c in [*clients, staff, leaver]))
    # A pinned statement: every snapshot carries its reaction counts.
    pinned = await clients[0].post("공감을 모을 말", msg_id="pinned")
    assert pinned.ack is not None
    target_id = int(pinned.ack["statement_id"])
    await until_acknowledged(staff, "statement.pin", statement_id=target_id)

    acks = 0

    def counted() -> None:
        nonlocal acks
        acks += 1

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 300
    posting = asyncio.gather(
        *(post_many(c, STATEMENTS_EACH, deadline=deadline, on_ack=counted) for c in clients)
    )
    total = RESIDENTS * STATEMENTS_EACH
    await wait_for(lambda: acks >= total // 3, timeout=120, what="a third acknowledged")
    acked_before_kill = acks
    private_redis.kill()
    killed_at = time.monotonic()
    # While Redis is down (two seconds: the fault itself), reactions on both workers are
    # stored and acknowledged, and one resident leaves: none of it can cross workers now.
    down_for = asyncio.ensure_future(asyncio.sleep(2))
    await asyncio.gather(
        until_acknowledged(clients[2], "reaction.toggle", statement_id=target_id, kind="공감"),
        until_acknowledged(clients[3], "reaction.toggle", statement_id=target_id, kind="공감"),
    )
    await leaver.close()
    await down_for
    acked_while_down = acks - acked_before_kill
    await asyncio.to_thread(private_redis.start)
    restarted_at = time.monotonic()

    # Recovery: a statement posted on one worker reaches a client on the other again
    # (through Redis, or through the hub's fill from the database) ...
    probe_sender, probe_reader = clients[0], clients[1]
    probe = await probe_sender.post("복구 확인", msg_id=f"probe-{next(turn)}")
    await wait_for(
        lambda: probe.ack is not None and probe.ack["statement_id"] in probe_reader.statement_ids,
        timeout=60,
        what="a statement crossing workers after the restart",
    )
    numbered_back_at = time.monotonic()
    await posting

    # ... and unnumbered messages, which only Redis carries, cross workers again.
    target = probe.ack["statement_id"] if probe.ack else 0
    seen = len(probe_reader.unnumbered)
    toggled = await probe_sender.request("reaction.toggle", statement_id=target, kind="공감")
    assert toggled["type"] == "ack", toggled
    await wait_for(
        lambda: any(m.get("type") == "reactions" for m in probe_reader.unnumbered[seen:]),
        timeout=30,
        what="a reactions update crossing workers through Redis after the restart",
    )
    unnumbered_back_at = time.monotonic()

    # Unnumbered state changed during the outage is right everywhere: the two reactions
    # counted, the resident who left no longer present (20 residents and the facilitator).
    everyone = [*clients, staff]
    counted = await stored_reactions(target_id, "공감")
    key = str(target_id)

    def wrong_state() -> list[str]:
        return [
            f"{c.name}: 공감 {c.reaction_counts.get(key, {}).get('공감')}, presence {c.presence}"
            for c in everyone
            if c.reaction_counts.get(key, {}).get("공감") != counted or c.presence != len(everyone)
        ]

    with contextlib.suppress(AssertionError):
        await wait_for(lambda: not wrong_state(), timeout=30, what="reactions and presence")
    state_wrong = wrong_state()

    # Every client was told of the outage: a resync, or a close it reconnects after.
    def told_at(c: RoomClient) -> float | None:
        times = [t for t in c.resync_times if t > killed_at]
        times += [
            t
            for t, code in zip(c.close_times, c.close_codes, strict=True)
            if t > killed_at and code in (1012, 4013)
        ]
        return min(times, default=None)

    told = {c.name: told_at(c) for c in everyone}
    untold = sorted(name for name, at in told.items() if at is None)
    delays = [at - restarted_at for at in told.values() if at is not None]

    ledger = await settle_and_judge(everyone, room.session.pk, Ledger())
    record = await room_record(room.session.pk)
    visible = {s["pk"] for s in record["statements"] if s["status"] == "visible"}
    missing = [c.name for c in everyone if not visible <= c.statement_ids]
    ledger.extra.update(
        acked_while_redis_down=acked_while_down,
        numbered_recovery_seconds=round(numbered_back_at - restarted_at, 2),
        redis_delivery_verified_after_seconds=round(unnumbered_back_at - restarted_at, 2),
        down_seconds=round(restarted_at - killed_at, 2),
        clients_told=len(everyone) - len(untold),
        told_after_restart_median_seconds=round(statistics.median(delays), 2) if delays else None,
        told_after_restart_max_seconds=round(max(delays), 2) if delays else None,
        clients_not_holding_every_statement=len(missing),
    )
    for c in everyone:
        await c.close()
    record_figures("Redis SIGKILL and restart (20 x 50, two workers)", ledger)

    assert ledger.lost == 0
    assert ledger.duplicated == 0
    assert ledger.acknowledged == total + 2
    assert ledger.stored == total + 2
    assert ledger.clients_missing_statements == 0
    assert untold == [], f"not told of the outage: {untold}"
    assert missing == [], f"resynced yet missing statements: {missing}"
    assert counted == 2
    assert state_wrong == [], f"wrong reaction count or presence after recovery: {state_wrong}"
    assert ledger.extra["record_contiguous"]
    # Loud failure: clients whose deliveries were lost learned of it (a close or a resync)
    # or closed the gap themselves; none was left silently behind after the settle period.
    assert ledger.silent_tail_clients == 0, ledger.row()
