"""Redis is SIGKILLed and restarted while 20 residents each post 50 statements through two
Daphne workers. Nothing acknowledged is lost, nothing is stored twice, clients are told
(close 1012/1013 or resync) and every client ends holding exactly the stored room."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import pytest

from .conftest import ORIGIN
from .room_client import RoomClient
from .scenario import Ledger, post_many, settle_and_judge, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

RESIDENTS = 20
STATEMENTS_EACH = 50


async def test_redis_sigkill_and_restart_loses_nothing_acknowledged(
    make_room: Any, private_redis: Any, workers: Any, record_figures: Any
) -> None:
    room = await asyncio.to_thread(make_room, RESIDENTS)
    servers = await asyncio.to_thread(workers, 2, redis_url=private_redis.url)
    turn = itertools.count()

    def url_for(index: int) -> Any:
        # each client keeps its worker; a restart of Redis does not move anyone
        return lambda: servers[index % 2].ws_url(room.path)

    clients = [
        RoomClient(url_for(i), cookie=cookie, origin=ORIGIN, name=f"r{i}")
        for i, cookie in enumerate(room.cookies)
    ]
    await asyncio.gather(*(c.connect() for c in clients))

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
    await asyncio.sleep(2)  # Redis stays down for two seconds: the fault itself
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

    ledger = await settle_and_judge(clients, room.session.pk, Ledger())
    ledger.extra.update(
        acked_while_redis_down=acked_while_down,
        numbered_recovery_seconds=round(numbered_back_at - restarted_at, 2),
        redis_delivery_verified_after_seconds=round(unnumbered_back_at - restarted_at, 2),
        down_seconds=round(restarted_at - killed_at, 2),
    )
    for c in clients:
        await c.close()
    record_figures("Redis SIGKILL and restart (20 x 50, two workers)", ledger)

    assert ledger.lost == 0
    assert ledger.duplicated == 0
    assert ledger.acknowledged == total + 1
    assert ledger.stored == total + 1
    assert ledger.clients_missing_statements == 0
    assert ledger.extra["record_contiguous"]
    # Loud failure: clients whose deliveries were lost learned of it (a close or a resync)
    # or closed the gap themselves; none was left silently behind after the settle period.
    assert ledger.silent_tail_clients == 0, ledger.row()
