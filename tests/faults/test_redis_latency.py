"""Redis answers two seconds late (one second each way, through the proxy) while residents
on two workers post at once. Events published by two processes arrive late and out of
order: clients detect the gaps and close them by resume; nobody ends with a hole."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.support.tcp_proxy import TcpProxy

from .conftest import ORIGIN
from .room_client import RoomClient
from .scenario import Ledger, post_many, settle_and_judge

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

RESIDENTS = 10
STATEMENTS_EACH = 10


async def test_redis_latency_gaps_are_detected_and_closed_by_resume(
    make_room: Any, private_redis: Any, workers: Any, record_figures: Any
) -> None:
    room = await asyncio.to_thread(make_room, RESIDENTS)
    with TcpProxy("127.0.0.1", private_redis.port) as proxy:
        redis_url = f"redis://127.0.0.1:{proxy.port}/0"
        servers = await asyncio.to_thread(workers, 2, redis_url=redis_url)
        clients = [
            RoomClient(
                (lambda s: lambda: s.ws_url(room.path))(servers[i % 2]),
                cookie=cookie,
                origin=ORIGIN,
                name=f"l{i}",
            )
            for i, cookie in enumerate(room.cookies)
        ]
        await asyncio.gather(*(c.connect() for c in clients))
        proxy.latency = 1.0
        deadline = asyncio.get_running_loop().time() + 240
        await asyncio.gather(*(post_many(c, STATEMENTS_EACH, deadline=deadline) for c in clients))
        ledger = await settle_and_judge(clients, room.session.pk, Ledger())
        ledger.extra["redis_round_trip_added_seconds"] = 2 * proxy.latency
        for c in clients:
            await c.close()
    record_figures("Redis 2 s round-trip latency through the proxy (10 x 10, two workers)", ledger)

    assert ledger.lost == 0
    assert ledger.duplicated == 0
    assert ledger.acknowledged == ledger.stored == RESIDENTS * STATEMENTS_EACH
    assert ledger.clients_missing_statements == 0
    assert ledger.extra["order_violations"] == 0
