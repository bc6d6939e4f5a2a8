"""Drivers shared by the fault scenarios: posters that keep their promises to the user
(retry with the same id, reconnect with backoff), and the ledger that judges the room."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from websockets.exceptions import ConnectionClosed

from deliberation.agendas.models import Session
from deliberation.live.models import RoomEvent, Statement

from .room_client import Outgoing, RoomClient, backoff_delay


async def wait_for(
    condition: Callable[[], bool | Awaitable[bool]], *, timeout: float, what: str
) -> float:
    """Poll ``condition`` until true; returns the seconds it took, fails after ``timeout``."""
    started = time.monotonic()
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.05)  # polling a condition with a deadline


async def post_many(
    client: RoomClient,
    count: int,
    *,
    deadline: float,
    on_ack: Callable[[], None] | None = None,
    pause: float = 0.0,
) -> None:
    """Post ``count`` statements in order, like a patient person with the browser client.

    A retryable error is retried with the same id after a backoff; a dropped connection is
    reconnected with backoff and jitter and the unacknowledged statement sent once more.
    """
    loop = asyncio.get_running_loop()
    for i in range(count):
        msg_id = f"{client.name}-s{i}"
        item = client.outbox.setdefault(msg_id, Outgoing(msg_id, f"{client.name} 발언 {i}"))
        attempt = 0
        while item.ack is None:
            if loop.time() > deadline:
                raise TimeoutError(f"{client.name} ran out of time at statement {i}")
            errors_before = len(item.errors)
            try:
                if client.ws is None or client.closed.is_set():
                    # reconnecting resends every unacknowledged statement once
                    await client.reconnect(deadline=deadline, first_attempt=attempt)
                else:
                    await client.send_statement(item, timeout=15)
            except (ConnectionClosed, OSError, TimeoutError):
                attempt += 1
                if client.closed.is_set():
                    client.ws = None
                else:
                    await asyncio.sleep(backoff_delay(attempt, base=0.2, cap=3))
                continue
            if item.ack is not None:
                break
            if len(item.errors) > errors_before:
                last = item.errors[-1]
                if not last.get("retryable"):
                    raise AssertionError(f"{client.name}: not retryable: {last}")
                attempt += 1
                await asyncio.sleep(
                    float(last.get("retry_after") or 0) or backoff_delay(attempt, base=0.2, cap=3)
                )
        if on_ack is not None:
            on_ack()
        if pause:
            await asyncio.sleep(pause)


@dataclass
class Ledger:
    """What was acknowledged, stored and finally held; the figures for docs/reliability.md."""

    acknowledged: int = 0
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    statement_events: int = 0
    clients_missing_statements: int = 0
    silent_tail_clients: int = 0
    gaps_detected: int = 0
    resyncs: int = 0
    close_codes: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self) -> str:
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(self.close_codes.items())) or "none"
        return (
            f"acknowledged {self.acknowledged}, stored {self.stored}, lost {self.lost}, "
            f"duplicated {self.duplicated}, gaps detected {self.gaps_detected}, "
            f"resyncs {self.resyncs}, "
            f"clients missing statements {self.clients_missing_statements}, "
            f"close codes {codes}"
        )


@sync_to_async
def room_record(session_id: int) -> dict[str, Any]:
    """The database's truth about one room."""
    statements = list(
        Statement.objects.filter(session_id=session_id).values(
            "pk", "author_id", "client_msg_id", "text", "status", "seq"
        )
    )
    events = list(
        RoomEvent.objects.filter(session_id=session_id).order_by("seq").values_list("seq", "type")
    )
    last_seq = Session.objects.values_list("last_seq", flat=True).get(pk=session_id)
    return {"statements": statements, "events": events, "last_seq": last_seq}


async def settle_and_judge(clients: list[RoomClient], session_id: int, ledger: Ledger) -> Ledger:
    """Let deliveries settle, note who silently missed the tail, close gaps by resume, judge."""
    record = await room_record(session_id)
    last_seq = record["last_seq"]
    with contextlib.suppress(AssertionError):
        await wait_for(
            lambda: all(c.last_seq == last_seq for c in clients), timeout=15, what="settle"
        )
    ledger.silent_tail_clients = sum(1 for c in clients if c.last_seq != last_seq)
    for client in clients:
        if client.ws is None or client.closed.is_set():
            await client.reconnect(deadline=asyncio.get_running_loop().time() + 60)
        else:
            await client.resume()
    await wait_for(lambda: all(c.last_seq == last_seq for c in clients), timeout=30, what="resume")

    stored_ids = {s["pk"] for s in record["statements"]}
    visible_ids = {s["pk"] for s in record["statements"] if s["status"] == "visible"}
    acked: dict[tuple[str, str], int] = {}
    for client in clients:
        for msg_id, statement_id in client.acknowledged().items():
            acked[(client.name, msg_id)] = statement_id
    keys = [(s["author_id"], s["client_msg_id"]) for s in record["statements"]]
    texts = [s["text"] for s in record["statements"]]

    ledger.acknowledged = len(acked)
    ledger.stored = len(stored_ids)
    ledger.lost = sum(1 for sid in acked.values() if sid not in stored_ids)
    ledger.duplicated = (len(keys) - len(set(keys))) + (len(texts) - len(set(texts)))
    ledger.statement_events = sum(1 for _, kind in record["events"] if kind == "statement.new")
    # A client told to resync reloads the snapshot (the page shows the recent history);
    # every other client must hold every visible statement.
    ledger.clients_missing_statements = sum(
        1 for c in clients if c.resyncs == 0 and not visible_ids <= c.statement_ids
    )
    ledger.gaps_detected = sum(c.gaps_seen for c in clients)
    ledger.resyncs = sum(c.resyncs for c in clients)
    for client in clients:
        for code in client.close_codes:
            ledger.close_codes[str(code)] = ledger.close_codes.get(str(code), 0) + 1
    # The room's own record has no holes: every number from 1 to last_seq is stored once.
    seqs = [seq for seq, _ in record["events"]]
    ledger.extra["record_contiguous"] = seqs == list(range(1, last_seq + 1))
    ledger.extra["order_violations"] = sum(c.seq_order_violations for c in clients)
    return ledger
