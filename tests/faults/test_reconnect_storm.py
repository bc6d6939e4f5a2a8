"""A thousand phones lose their connection at once (their worker is killed) and come back
with the browser client's backoff and full jitter: every one is resynced to the room's
current sequence, and the database's connections are never exhausted."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from django.db import connection

from tests.support.daphne import database_url_of_test_db

from .conftest import ORIGIN, server_connection_count
from .room_client import RoomClient
from .scenario import Ledger, room_record, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CLIENTS = 1000


async def test_reconnect_storm_of_a_thousand_clients(
    make_room: Any, private_redis: Any, workers: Any, record_figures: Any
) -> None:
    room = await asyncio.to_thread(make_room, 20)
    # Persistent database connections, as a production DATABASE_URL sets them: a storm of
    # joins must not open a PostgreSQL backend for every database call.
    database_url = f"{database_url_of_test_db()}?conn_max_age=60"
    first, second = await asyncio.to_thread(
        workers, 2, redis_url=private_redis.url, database_url=database_url
    )
    database = connection.settings_dict["NAME"]
    max_connections = await asyncio.to_thread(_max_connections)

    def url() -> str:
        return (first if first.alive() else second).ws_url(room.path)

    # A thousand sockets of twenty residents (people keep several tabs and phones).
    clients = [
        RoomClient(url, cookie=room.cookies[i % 20], origin=ORIGIN, name=f"s{i}")
        for i in range(CLIENTS)
    ]
    connect_deadline = asyncio.get_running_loop().time() + 600
    for batch in range(0, CLIENTS, 100):
        await asyncio.gather(
            *(c.reconnect(deadline=connect_deadline) for c in clients[batch : batch + 100])
        )
    first_refusals = sum(len(c.reconnect_errors) for c in clients)
    talker = clients[0]
    for i in range(5):
        await talker.request("statement.post", id=f"before-{i}", text=f"폭풍 전 {i}")

    peak = {"connections": 0}
    stop = threading.Event()

    def sample() -> None:
        from django.db import connections

        while not stop.is_set():
            peak["connections"] = max(peak["connections"], server_connection_count(database))
            time.sleep(0.2)  # a sampling interval, not synchronisation
        connections.close_all()

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        await asyncio.to_thread(first.kill)
        dropped_at = time.monotonic()
        await wait_for(
            lambda: all(c.closed.is_set() for c in clients), timeout=60, what="all dropped"
        )
        # Meanwhile the room goes on: statements posted on the surviving worker.
        poster = RoomClient(
            lambda: second.ws_url(room.path), cookie=room.cookies[1], origin=ORIGIN, name="p"
        )
        await poster.connect()
        for i in range(5):
            await poster.request("statement.post", id=f"during-{i}", text=f"폭풍 중 {i}")
        deadline = asyncio.get_running_loop().time() + 600
        await asyncio.gather(*(c.reconnect(deadline=deadline) for c in clients))
        reconnected_in = time.monotonic() - dropped_at
        record = await room_record(room.session.pk)
        await wait_for(
            lambda: all(c.last_seq == record["last_seq"] for c in clients),
            timeout=60,
            what="every client at the room's current sequence",
        )
    finally:
        stop.set()
        sampler.join(timeout=5)

    ids = {s["pk"] for s in record["statements"]}
    missing = sum(1 for c in clients if not ids <= c.statement_ids and c.resyncs == 0)
    ledger = Ledger(stored=len(ids), resyncs=sum(c.resyncs for c in clients))
    ledger.clients_missing_statements = missing
    ledger.extra.update(
        clients=CLIENTS,
        all_back_within_seconds=round(reconnected_in, 1),
        refused_while_connecting_first=first_refusals,
        failed_reconnect_attempts=sum(len(c.reconnect_errors) for c in clients) - first_refusals,
        sample_errors=sorted({e[:80] for c in clients for e in c.reconnect_errors})[:3],
        peak_database_connections=peak["connections"],
        max_connections=max_connections,
    )
    for c in [*clients, poster]:
        await c.close()
    record_figures("Reconnect storm: 1,000 clients dropped at once", ledger)

    assert all(c.last_seq == record["last_seq"] for c in clients)
    assert missing == 0
    assert peak["connections"] < max_connections - 5, ledger.extra


def _max_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        return int(cursor.fetchone()[0])
