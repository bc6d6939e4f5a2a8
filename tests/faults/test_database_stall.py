"""The database stalls for 30 seconds behind a TCP proxy while residents post. Nothing is
acknowledged that was not committed, the sender gets a retryable error, and the room
recovers by itself once the database answers again (same server process, no restart)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from deliberation.live.models import Statement
from tests.support.daphne import database_url_of_test_db
from tests.support.tcp_proxy import TcpProxy

from .conftest import ORIGIN
from .room_client import RoomClient
from .scenario import Ledger, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

STALL_SECONDS = 30


@sync_to_async
def stored(session_id: int, msg_id: str) -> bool:
    return Statement.objects.filter(session_id=session_id, client_msg_id=msg_id).exists()


async def test_database_stall_acknowledges_nothing_uncommitted_and_recovers(
    make_room: Any, workers: Any, record_figures: Any
) -> None:
    from urllib.parse import urlsplit, urlunsplit

    room = await asyncio.to_thread(make_room, 3)
    direct = urlsplit(database_url_of_test_db())
    with TcpProxy(direct.hostname or "127.0.0.1", direct.port or 5432) as proxy:
        netloc = direct.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{proxy.port}"
        via_proxy = urlunsplit(direct._replace(netloc=netloc))
        (server,) = await asyncio.to_thread(workers, 1, database_url=via_proxy)
        pid = server.pid
        url = lambda: server.ws_url(room.path)  # noqa: E731
        sender = RoomClient(url, cookie=room.cookies[0], origin=ORIGIN, name="sender")
        watcher = RoomClient(url, cookie=room.cookies[1], origin=ORIGIN, name="watcher")
        await sender.connect()
        await watcher.connect()
        before = await sender.request("statement.post", id="before", text="멈추기 전")
        assert before["type"] == "ack"

        # Every reply during the stall is checked against the database at once.
        acked_without_row: list[str] = []
        replies: list[dict[str, Any]] = []

        async def post_and_check(msg_id: str) -> None:
            reply = await sender.request(
                "statement.post", id=msg_id, text=f"멈춘 동안 {msg_id}", timeout=STALL_SECONDS + 60
            )
            replies.append(reply | {"at": time.monotonic() - stalled_at})
            if reply["type"] == "ack" and not await stored(room.session.pk, msg_id):
                acked_without_row.append(msg_id)

        proxy.stall()
        stalled_at = time.monotonic()
        during = [asyncio.ensure_future(post_and_check(f"stall-{i}")) for i in range(3)]
        try:
            first_reply_in: float | None = await wait_for(
                lambda: bool(replies), timeout=STALL_SECONDS, what="a reply during the stall"
            )
        except AssertionError:
            first_reply_in = None  # silence for the whole stall
        await asyncio.sleep(max(0.0, STALL_SECONDS - (time.monotonic() - stalled_at)))  # the fault
        replies_in_stall = list(replies)
        proxy.resume()
        resumed_at = time.monotonic()
        await asyncio.gather(*during)

        # The sender retries the same ids (as the browser client does): no duplicates.
        retried = [
            await sender.request("statement.post", id=f"stall-{i}", text=f"멈춘 동안 stall-{i}")
            for i in range(3)
        ]
        after = await sender.request("statement.post", id="after", text="다시 살아남")
        recovered_in = time.monotonic() - resumed_at
        await wait_for(
            lambda: after.get("statement_id") in watcher.statement_ids,
            timeout=30,
            what="the watcher sees the statement posted after recovery",
        )
        new_client = RoomClient(url, cookie=room.cookies[2], origin=ORIGIN, name="late")
        await new_client.connect()
        same_process = server.alive() and server.pid == pid
        for c in (sender, watcher, new_client):
            await c.close()

    rows = await sync_to_async(
        lambda: list(
            Statement.objects.filter(session_id=room.session.pk).values_list(
                "client_msg_id", flat=True
            )
        )
    )()
    during_replies = [(r["type"], r.get("code"), r.get("retryable")) for r in replies_in_stall]
    ledger = Ledger(
        acknowledged=sum(1 for r in retried if r["type"] == "ack") + 2, stored=len(rows)
    )
    ledger.duplicated = len(rows) - len(set(rows))
    ledger.extra.update(
        stall_seconds=STALL_SECONDS,
        replies_during_stall=during_replies,
        first_reply_after_seconds=None if first_reply_in is None else round(first_reply_in, 2),
        replies_after_stall=[(r["type"], r.get("code")) for r in replies[len(replies_in_stall) :]],
        acked_without_commit=len(acked_without_row),
        recovery_seconds=round(recovered_in, 2),
        restarted=not same_process,
    )
    record_figures("Database stalled 30 s through the proxy", ledger)

    assert acked_without_row == []
    # Loud: posts made during the stall are answered with a retryable error (one connection
    # runs its actions in order, so the third answer may come just as the stall ends).
    assert during_replies, ledger.extra
    assert all(r["type"] == "error" and r["retryable"] for r in replies), ledger.extra
    assert all(r["type"] == "ack" for r in retried), retried
    assert after["type"] == "ack"
    assert sorted(rows) == sorted(["before", "stall-0", "stall-1", "stall-2", "after"])
    assert ledger.duplicated == 0
    assert same_process
