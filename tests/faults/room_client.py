"""A room client over real WebSockets for fault scenarios, following docs/protocol.md.

It behaves like the browser client (frontend/static/madang/js/room-client.js): numbered
events are applied in order, duplicates dropped, an event ahead of its predecessor is held
and the gap closed with ``resume``; ``resync`` reloads the snapshot; it reconnects with
exponential backoff and full jitter and resends unacknowledged statements once per
connection with the same client message id. It records what a test needs to judge the
room's promises: what was acknowledged, gaps seen, resyncs, duplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake

_ids = itertools.count(1)


def backoff_delay(attempt: int, *, base: float = 0.5, cap: float = 30.0) -> float:
    """The browser client's rule: a uniform wait between 0 and the capped exponential bound."""
    return random.uniform(0, min(cap, base * 2 ** max(0, attempt)))


@dataclass
class Outgoing:
    """A statement the client wants stored; kept until acknowledged."""

    msg_id: str
    text: str
    sends: int = 0
    ack: dict[str, Any] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


class RoomClient:
    """One participant's connection(s) to one room, across reconnects."""

    def __init__(
        self,
        urls: Callable[[], str],
        *,
        cookie: str,
        origin: str | None = None,
        name: str = "",
        gap_wait: float = 1.0,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        read: bool = True,
    ) -> None:
        self.urls = urls
        self.cookie = cookie
        self.origin = origin
        self.name = name or f"c{next(_ids)}"
        self.gap_wait = gap_wait
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.read = read

        self.ws: Any = None
        self.last_seq: int | None = None
        self.events: dict[int, dict[str, Any]] = {}  # seq -> event applied
        self.statement_ids: set[int] = set()  # statements this client holds
        self.held: dict[int, dict[str, Any]] = {}
        self.pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.outbox: dict[str, Outgoing] = {}

        self.snapshots = 0
        self.resyncs = 0
        self.gaps_seen = 0
        self.duplicates_dropped = 0
        self.connections = 0
        self.close_codes: list[int | None] = []
        self.unexpected: list[str] = []
        self.seq_order_violations = 0
        self.reconnect_errors: list[str] = []
        self.unnumbered: list[dict[str, Any]] = []  # reactions, presence, staff notices...
        # When the server told this client to resync, or closed it (time.monotonic()).
        self.resync_times: list[float] = []
        self.close_times: list[float] = []
        # Unnumbered state as this client last heard it (snapshot, then deltas).
        self.reaction_counts: dict[str, dict[str, int]] = {}
        self.presence: int | None = None

        self._reader: asyncio.Task[None] | None = None
        self._gap_task: asyncio.Task[None] | None = None
        self._snapshot_event = asyncio.Event()
        self.closed = asyncio.Event()

    # -- connecting ----------------------------------------------------------------------

    async def connect(self, *, timeout: float = 30.0, **kwargs: Any) -> None:
        """Open a socket, wait for the snapshot (and the replay, when resuming)."""
        url = self.urls()
        if self.last_seq is not None:
            url += f"?after={self.last_seq}"
        # a browser's page and its socket share an origin: scheme, host and port
        origin = self.origin or "http://" + url.split("://", 1)[1].split("/", 1)[0]
        ws = await websockets.connect(
            url,
            origin=origin,  # type: ignore[arg-type]
            additional_headers={"Cookie": self.cookie},
            open_timeout=timeout,
            max_size=2**24,
            ping_interval=None,
            compression=None,
            **kwargs,
        )
        self.ws = ws
        self.connections += 1
        self._snapshot_event = asyncio.Event()
        self.closed = asyncio.Event()
        if self.read:
            self._reader = asyncio.ensure_future(self._read_loop(ws, self.closed))
            # The snapshot, or the server closing the socket first (4013: come back later).
            snapshot = asyncio.ensure_future(self._snapshot_event.wait())
            closed = asyncio.ensure_future(self.closed.wait())
            try:
                await asyncio.wait(
                    {snapshot, closed}, timeout=timeout, return_when="FIRST_COMPLETED"
                )
            finally:
                snapshot.cancel()
                closed.cancel()
            if not self._snapshot_event.is_set():
                await ws.close()
                if self.closed.is_set():
                    raise ws.protocol.close_exc
                raise TimeoutError("no snapshot")

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 5)
        if self._gap_task is not None:
            self._gap_task.cancel()

    async def reconnect(self, *, deadline: float, first_attempt: int = 0) -> None:
        """Reconnect with backoff and full jitter until connected or past ``deadline``."""
        loop = asyncio.get_running_loop()
        attempt = first_attempt
        while True:
            delay = backoff_delay(attempt, base=self.backoff_base, cap=self.backoff_cap)
            if loop.time() + delay > deadline:
                delay = max(0.0, deadline - loop.time())
            await asyncio.sleep(delay)  # the backoff itself, not synchronisation
            try:
                await self.connect(timeout=min(30.0, max(1.0, deadline - loop.time())))
                await self.resend_unacknowledged()
                return
            except (OSError, ConnectionClosed, TimeoutError, InvalidHandshake, EOFError) as exc:
                self.reconnect_errors.append(repr(exc)[:200])
                if loop.time() >= deadline:
                    raise TimeoutError(f"{self.name} could not reconnect: {exc!r}") from exc
                attempt += 1

    # -- sending -------------------------------------------------------------------------

    async def request(
        self, action: str, /, *, timeout: float = 30.0, **fields: Any
    ) -> dict[str, Any]:
        """Send one action and wait for its ack or error."""
        msg_id = fields.pop("id", None) or f"{self.name}-{next(_ids)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[msg_id] = future
        try:
            await self.ws.send(orjson.dumps({"type": action, "id": msg_id, **fields}).decode())
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        finally:
            self.pending.pop(msg_id, None)

    async def post(
        self, text: str, *, msg_id: str | None = None, timeout: float = 30.0
    ) -> Outgoing:
        """Post a statement; it stays in the outbox until acknowledged."""
        item = self.outbox.get(msg_id or "") or Outgoing(
            msg_id or f"{self.name}-s{next(_ids)}", text
        )
        self.outbox[item.msg_id] = item
        await self.send_statement(item, timeout=timeout)
        return item

    async def send_statement(self, item: Outgoing, *, timeout: float) -> None:
        item.sends += 1
        reply = await self.request(
            "statement.post",
            id=item.msg_id,
            client_msg_id=item.msg_id,
            text=item.text,
            timeout=timeout,
        )
        if reply["type"] == "ack":
            item.ack = reply
        else:
            item.errors.append(reply)

    async def resend_unacknowledged(self, *, timeout: float = 30.0) -> None:
        """Send once more every statement that never got an ack (same id: never twice stored)."""
        for item in list(self.outbox.values()):
            if item.ack is None:
                with contextlib.suppress(TimeoutError, ConnectionClosed):
                    await self.send_statement(item, timeout=timeout)

    def acknowledged(self) -> dict[str, int]:
        """client message id -> statement id, for every acknowledged statement."""
        return {
            i.msg_id: int(i.ack["statement_id"]) for i in self.outbox.values() if i.ack is not None
        }

    async def resume(self, *, timeout: float = 30.0) -> dict[str, Any]:
        return await self.request("resume", after=self.last_seq or 0, timeout=timeout)

    # -- receiving -------------------------------------------------------------------------

    async def _read_loop(self, ws: Any, closed: asyncio.Event) -> None:
        try:
            async for raw in ws:
                self._handle(orjson.loads(raw))
        except ConnectionClosed:
            pass
        finally:
            closed.set()
            self.close_codes.append(ws.close_code)
            self.close_times.append(time.monotonic())
            protocol = ws.protocol
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(ConnectionClosed(protocol.close_rcvd, protocol.close_sent))

    def _handle(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind in ("ack", "error"):
            future = self.pending.get(msg.get("id") or "")
            if future is not None and not future.done():
                future.set_result(msg)
            return
        if kind == "snapshot":
            self.snapshots += 1
            self.last_seq = int(msg["seq"])
            self.held = {s: e for s, e in self.held.items() if s > self.last_seq}
            for statement in msg.get("statements", []):
                self.statement_ids.add(int(statement["id"]))
            self.reaction_counts.update(msg.get("reactions") or {})
            self.presence = msg.get("presence")
            self._snapshot_event.set()
            self._drain_held()
            return
        if kind == "resync":
            self.resyncs += 1
            self.resync_times.append(time.monotonic())
            return
        if kind == "reactions":
            self.reaction_counts.update(msg.get("counts") or {})
        elif kind == "presence":
            self.presence = msg.get("count")
        if "seq" in msg and msg["seq"] is not None:
            self._numbered(msg)
        else:
            self.unnumbered.append(msg)
            del self.unnumbered[:-200]

    def _numbered(self, msg: dict[str, Any]) -> None:
        seq = int(msg["seq"])
        if self.last_seq is None:
            self.held[seq] = msg
            return
        if seq <= self.last_seq:
            self.duplicates_dropped += 1
            return
        if seq > self.last_seq + 1:
            if seq not in self.held:
                self.held[seq] = msg
            self._watch_gap()
            return
        self._apply(msg)
        self._drain_held()

    def _apply(self, msg: dict[str, Any]) -> None:
        seq = int(msg["seq"])
        if self.last_seq is not None and seq != self.last_seq + 1:
            self.seq_order_violations += 1
        self.last_seq = seq
        self.events[seq] = msg
        if msg["type"] in ("statement.new", "statement.restored"):
            self.statement_ids.add(int(msg["statement"]["id"]))

    def _drain_held(self) -> None:
        assert self.last_seq is not None
        while self.last_seq + 1 in self.held:
            self._apply(self.held.pop(self.last_seq + 1))
        self.held = {s: e for s, e in self.held.items() if s > self.last_seq}

    def _watch_gap(self) -> None:
        if self._gap_task is not None and not self._gap_task.done():
            return
        self.gaps_seen += 1
        self._gap_task = asyncio.ensure_future(self._close_gap())

    async def _close_gap(self) -> None:
        await asyncio.sleep(self.gap_wait)  # hold an early event briefly, as the browser does
        if self.held and self.ws is not None:
            with contextlib.suppress(TimeoutError, ConnectionClosed):
                await self.resume()
