"""One of two Daphne workers is SIGKILLed while residents post. Its clients reconnect to the
other worker with backoff and jitter, resume from their last sequence number and send
their unacknowledged statement once more: nothing lost, nothing doubled, no gap."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from .conftest import ORIGIN
from .room_client import RoomClient
from .scenario import Ledger, post_many, settle_and_judge, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

RESIDENTS = 20
STATEMENTS_EACH = 30


async def test_worker_sigkill_clients_move_and_resume(
    make_room: Any, private_redis: Any, workers: Any, record_figures: Any
) -> None:
    room = await asyncio.to_thread(make_room, RESIDENTS)
    servers = await asyncio.to_thread(workers, 2, redis_url=private_redis.url)
    doomed, survivor = servers

    def url_for(index: int) -> Any:
        def url() -> str:
            preferred = servers[index % 2]
            return (preferred if preferred.alive() else survivor).ws_url(room.path)

        return url

    clients = [
        RoomClient(url_for(i), cookie=cookie, origin=ORIGIN, name=f"w{i}")
        for i, cookie in enumerate(room.cookies)
    ]
    await asyncio.gather(*(c.connect() for c in clients))
    moved = [c for i, c in enumerate(clients) if i % 2 == 0]

    acks = 0

    def counted() -> None:
        nonlocal acks
        acks += 1

    deadline = asyncio.get_running_loop().time() + 480
    posting = asyncio.gather(
        *(post_many(c, STATEMENTS_EACH, deadline=deadline, on_ack=counted) for c in clients)
    )
    total = RESIDENTS * STATEMENTS_EACH
    await wait_for(lambda: acks >= total // 3, timeout=120, what="a third acknowledged")
    await asyncio.to_thread(doomed.kill)
    killed_at = time.monotonic()
    try:
        await wait_for(
            lambda: all(c.connections >= 2 and not c.closed.is_set() for c in moved),
            timeout=180,
            what="the killed worker's clients reconnected to the survivor",
        )
    except AssertionError:
        states = [
            (
                c.name,
                c.connections,
                c.closed.is_set(),
                c.ws.state if c.ws is not None else None,
                c._reader.done() if c._reader else None,
                len(c.acknowledged()),
                c.reconnect_errors[-2:],
            )
            for c in moved
        ]
        raise AssertionError(f"not all moved: {states}") from None
    moved_in = time.monotonic() - killed_at
    await posting

    ledger = await settle_and_judge(clients, room.session.pk, Ledger())
    sends = [item.sends for c in clients for item in c.outbox.values()]
    ledger.extra.update(
        clients_moved=len(moved),
        all_moved_within_seconds=round(moved_in, 2),
        statements_resent=sum(1 for s in sends if s > 1),
        most_sends_of_one_statement=max(sends),
    )
    for c in clients:
        await c.close()
    record_figures("One of two Daphne workers SIGKILLed (20 x 30)", ledger)

    assert ledger.lost == 0
    assert ledger.duplicated == 0
    assert ledger.acknowledged == ledger.stored == total
    assert ledger.clients_missing_statements == 0
    assert ledger.extra["record_contiguous"]
    # a statement in flight when the worker died was sent once more, not more
    assert ledger.extra["most_sends_of_one_statement"] <= 2
