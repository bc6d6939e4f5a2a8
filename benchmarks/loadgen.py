"""The load generator: real WebSocket clients spread over several worker processes.

The coordinator (``LoadGenerator``) drives worker processes through pipes. Each worker
runs one asyncio loop holding its share of the clients and answers commands: connect
clients, run a measured step (speakers post at a fixed rate while every client records
what it receives), churn clients, send a burst of reactions, close everything.

Every statement carries a marker with the step, the speaker, its number and its send
time (``time.monotonic_ns``, one clock for every process on the machine), so a receiving
client computes the end-to-end latency itself and counts which messages reached it.
The marker is written in letters only, so the room's masking of phone and registration
numbers and its linkifier leave it alone.

This module imports no Django: workers are spawned processes that only speak WebSocket.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import random
import re
import resource
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

MADANG = "madang"
BASELINE = "baseline"

# About 370 bytes of Korean per statement, like the figures in the team's realtime notes.
FILLER = (
    "국민외교 마당에서 우리 지역의 목소리를 전합니다. 자매도시 청년 교류와 지방대학 국제협력, "
    "외국인 주민과 함께하는 축제에 대해 의견을 나누고 외교부의 답변을 기다립니다."
)
_TO_LETTERS = str.maketrans("0123456789abcdef", "ghijklmnopqrstuv")
_FROM_LETTERS = bytes.maketrans(b"ghijklmnopqrstuv", b"0123456789abcdef")
MARK = re.compile(rb"BQ-([g-v]+)-([g-v]+)-([g-v]+)-([g-v]+)-QB")


def letters(value: int) -> str:
    """A non-negative integer written with the letters g..v (hex digits shifted)."""
    return format(value, "x").translate(_TO_LETTERS)


def from_letters(value: bytes) -> int:
    return int(value.translate(_FROM_LETTERS), 16)


def marker(step: int, speaker: int, number: int, sent_us: int) -> str:
    return f"BQ-{letters(step)}-{letters(speaker)}-{letters(number)}-{letters(sent_us)}-QB"


def now_us() -> int:
    return time.monotonic_ns() // 1000


def raise_open_files_limit() -> int:
    """Lift the soft limit on open files to the hard limit; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


@dataclass(frozen=True)
class ClientSpec:
    """One simulated resident: which room, where to connect, with which cookie."""

    cid: int
    room: int
    url: str
    origin: str
    cookie: str = ""


# ---------------------------------------------------------------------------
# Worker side
# ---------------------------------------------------------------------------


class _Client:
    __slots__ = (
        "closed",
        "code",
        "last_seq",
        "missing",
        "reaction_best",
        "reaction_log",
        "spec",
        "task",
        "ws",
    )

    def __init__(self, spec: ClientSpec, ws: ClientConnection) -> None:
        self.spec = spec
        self.ws = ws
        self.last_seq = -1
        self.missing: set[int] = set()
        self.closed = False
        self.code: int | None = None
        self.task: asyncio.Task[None] | None = None
        self.reaction_best = 0
        self.reaction_log: list[tuple[int, int]] = []


class _Step:
    """What one worker saw during one measured step."""

    def __init__(self, number: int, members: dict[int, int]) -> None:
        self.number = number
        self.members = members  # room -> clients connected when the step began
        self.member_ids: set[int] = set()
        self.latency_ms = array("f")
        self.receipts: Counter[tuple[int, int]] = Counter()
        self.received = 0
        self.member_receipts = 0
        self.duplicates = 0
        self.sent: dict[tuple[int, int], int] = {}
        self.acked: dict[tuple[int, int], int | None] = {}
        self.statement_ids: dict[tuple[int, int], int] = {}
        self.ack_ms = array("f")
        self.post_errors: Counter[str] = Counter()
        self.closed_members = 0
        self.seen: set[tuple[int, int, int]] = set()


class Worker:
    """One process's share of the clients, driven by commands from the coordinator."""

    def __init__(self, index: int, protocol: str, pipe: Connection) -> None:
        self.index = index
        self.protocol = protocol
        self.pipe = pipe
        self.clients: dict[int, _Client] = {}
        self.step: _Step | None = None
        self.step_number = -1
        self.pending_acks: dict[str, tuple[tuple[int, int], int]] = {}
        self.reaction_target: tuple[str, int] | None = None
        self.reaction_acks: list[int] = []
        self.reaction_errors: Counter[str] = Counter()
        self.vote_acks = 0
        self.vote_errors: Counter[str] = Counter()
        self.unexpected_closes: Counter[str] = Counter()
        self.handshake_ms = array("f")
        self.join_errors: Counter[str] = Counter()
        self.churn_joins = 0
        self.churn_leaves = 0
        self.speaker_substitutes = 0  # chosen speakers replaced (their socket had closed)
        self.speaker_missing = 0  # chosen speakers with no open client left to replace them
        self.loop: asyncio.AbstractEventLoop | None = None
        self.done = asyncio.Event()

    # -- connections ---------------------------------------------------------

    async def _open(self, spec: ClientSpec, *, timeout: float = 30.0) -> _Client | None:
        started = time.monotonic()
        headers = {"Cookie": f"madang_resident={spec.cookie}"} if spec.cookie else None
        try:
            async with asyncio.timeout(timeout):
                ws = await connect(
                    spec.url,
                    origin=spec.origin,  # type: ignore[arg-type]
                    additional_headers=headers,
                    compression=None,
                    proxy=None,
                    ping_interval=None,
                    open_timeout=timeout,
                    close_timeout=2,
                    max_size=2**22,
                    max_queue=64,
                )
                client = _Client(spec, ws)
                if self.protocol == MADANG:
                    first = orjson.loads(await ws.recv(decode=False))
                    if first.get("type") != "snapshot":
                        raise RuntimeError(f"first message was {first.get('type')!r}")
                    client.last_seq = int(first["seq"])
        except InvalidStatus as exc:
            self.join_errors[f"http_{exc.response.status_code}"] += 1
            return None
        except TimeoutError:
            self.join_errors["timeout"] += 1
            return None
        except ConnectionClosed as exc:
            self.join_errors[f"closed_{exc.rcvd.code if exc.rcvd else 'none'}"] += 1
            return None
        except OSError as exc:
            self.join_errors[f"os_{exc.errno}"] += 1
            return None
        except Exception as exc:  # noqa: BLE001 - every failed join is counted, by kind
            self.join_errors[type(exc).__name__] += 1
            return None
        self.handshake_ms.append((time.monotonic() - started) * 1000)
        self.clients[spec.cid] = client
        client.task = asyncio.get_running_loop().create_task(self._read(client))
        return client

    async def _read(self, client: _Client) -> None:
        ws = client.ws
        try:
            while True:
                raw = await ws.recv(decode=False)
                self._on_message(client, raw)  # type: ignore[arg-type]
        except ConnectionClosed as exc:
            client.closed = True
            client.code = exc.rcvd.code if exc.rcvd else None
        except asyncio.CancelledError:
            client.closed = True
            raise
        finally:
            client.closed = True
            step = self.step
            if step is not None and client.spec.cid in step.member_ids:
                step.closed_members += 1
            if client.code not in (None, 1000, 1001):
                self.unexpected_closes[str(client.code)] += 1

    def _on_message(self, client: _Client, raw: bytes) -> None:
        received = now_us()
        data = orjson.loads(raw)
        step = self.step
        kind = data.get("type") if self.protocol == MADANG else None
        if kind is not None and kind in ("ack", "error"):
            self._on_reply(data, received)
            return
        if kind == "reactions":
            self._on_reactions(client, data, received)
            return
        if kind is not None and kind != "snapshot":
            seq = data.get("seq")
            if isinstance(seq, int):
                self._check_seq(client, seq, step)
        found = MARK.search(raw)
        if found is None or step is None:
            return
        number = from_letters(found.group(1))
        if number != step.number:
            return
        speaker = from_letters(found.group(2))
        message = from_letters(found.group(3))
        sent = from_letters(found.group(4))
        key = (client.spec.cid, speaker, message)
        if key in step.seen:
            step.duplicates += 1
            return
        step.seen.add(key)
        step.received += 1
        step.latency_ms.append((received - sent) / 1000.0)
        if client.spec.cid in step.member_ids:
            step.receipts[(speaker, message)] += 1
            step.member_receipts += 1

    def _check_seq(self, client: _Client, seq: int, step: _Step | None) -> None:
        last = client.last_seq
        if seq == last + 1:
            client.last_seq = seq
        elif seq > last + 1:
            client.missing.update(range(last + 1, seq))
            client.last_seq = seq
        elif seq in client.missing:
            client.missing.discard(seq)  # arrived out of order, not lost
        elif step is not None:
            step.duplicates += 1

    def _on_reply(self, data: dict[str, Any], received: int) -> None:
        ident = data.get("id")
        if not isinstance(ident, str):
            # Refused before its id was read (rate limit): still one post answered.
            if data["type"] == "error" and self.step is not None and self.step.sent:
                self.step.post_errors[str(data.get("code"))] += 1
            return
        if ident.startswith("v"):
            if data["type"] == "ack":
                self.vote_acks += 1
            else:
                self.vote_errors[str(data.get("code"))] += 1
            return
        if ident.startswith("r"):
            if data["type"] == "ack":
                self.reaction_acks.append(received)
            else:
                self.reaction_errors[str(data.get("code"))] += 1
            return
        pending = self.pending_acks.pop(ident, None)
        step = self.step
        if pending is None or step is None:
            return
        key, sent = pending
        if data["type"] == "ack":
            step.acked[key] = data.get("seq")
            if isinstance(data.get("statement_id"), int):
                step.statement_ids[key] = data["statement_id"]
            step.ack_ms.append((received - sent) / 1000.0)
        else:
            step.post_errors[str(data.get("code"))] += 1

    def _on_reactions(self, client: _Client, data: dict[str, Any], received: int) -> None:
        target = self.reaction_target
        if target is None:
            return
        counts = (data.get("counts") or {}).get(target[0])
        if isinstance(counts, dict):
            total = sum(v for v in counts.values() if isinstance(v, int))
            if total > client.reaction_best:
                client.reaction_best = total
                client.reaction_log.append((received, total))

    # -- commands -----------------------------------------------------------

    async def cmd_connect(
        self,
        specs: list[ClientSpec],
        concurrency: int,
        spread_s: float,
        start_at: float,
        give_up_at: float,
    ) -> dict[str, Any]:
        """Open connections; with ``spread_s`` each starts at its slot within that window.

        Without a spread, at most ``concurrency`` handshakes are in flight; clients not
        started by ``give_up_at`` are not attempted (the run goes on with fewer).
        """
        self.handshake_ms = array("f")
        self.join_errors = Counter()
        gate = asyncio.Semaphore(max(1, concurrency))
        opened = skipped = 0

        async def one(i: int, spec: ClientSpec) -> None:
            nonlocal opened, skipped
            if spread_s > 0:
                await _sleep_until(start_at + spread_s * i / max(1, len(specs)))
                ok = await self._open(spec)
            else:
                async with gate:
                    if time.monotonic() > give_up_at:
                        skipped += 1
                        return
                    ok = await self._open(spec)
            opened += ok is not None

        await asyncio.gather(*(one(i, s) for i, s in enumerate(specs)))
        return {
            "opened": opened,
            "skipped": skipped,
            "failed": len(specs) - opened - skipped,
            "errors": dict(self.join_errors),
            "handshake_ms": self.handshake_ms.tobytes(),
        }

    def cmd_begin(self, number: int, churning: list[int] | None = None) -> dict[str, Any]:
        """Start a measured step; connected clients (but churning ones) are its members."""
        self.speaker_substitutes = self.speaker_missing = 0
        members: Counter[int] = Counter()
        step = _Step(number, {})
        excluded = set(churning or ())
        for client in self.clients.values():
            if not client.closed and client.spec.cid not in excluded:
                members[client.spec.room] += 1
                step.member_ids.add(client.spec.cid)
            client.missing.clear()
        step.members = dict(members)
        self.step = step
        self.unexpected_closes = Counter()
        return {"members": step.members}

    async def cmd_speak(
        self, speakers: list[tuple[int, int, float, float]], start_at: float, end_at: float
    ) -> dict[str, Any]:
        """Each (cid, speaker id, rate, offset) posts at a fixed rate between the two instants.

        A speaker whose socket closed since it was chosen is replaced by another open client
        of the same room held by this worker, so a step never silently posts less.
        """
        speaking = {cid for cid, _sid, _rate, _offset in speakers}
        chosen: list[tuple[_Client, int, float, float]] = []
        for cid, sid, rate, offset in speakers:
            client = self._speaker_client(cid, speaking)
            if client is not None:
                speaking.add(client.spec.cid)
                chosen.append((client, sid, rate, offset))
            else:
                self.speaker_missing += 1
        await asyncio.gather(
            *(
                self._speak(client, sid, rate, start_at + offset, end_at)
                for client, sid, rate, offset in chosen
            )
        )
        return {}

    def _speaker_client(self, cid: int, speaking: set[int]) -> _Client | None:
        client = self.clients.get(cid)
        if client is not None and not client.closed:
            return client
        room = client.spec.room if client is not None else None
        for other in self.clients.values():
            if other.closed or other.spec.cid in speaking:
                continue
            if room is None or other.spec.room == room:
                self.speaker_substitutes += 1
                return other
        return None

    async def _speak(
        self, client: _Client, speaker: int, rate: float, start: float, end: float
    ) -> None:
        step = self.step
        if step is None or rate <= 0:
            return
        interval = 1.0 / rate
        number = 0
        while True:
            due = start + number * interval
            if due >= end or client.closed:
                break
            await _sleep_until(due)
            sent = now_us()
            text = f"{marker(step.number, speaker, number, sent)} {FILLER}"
            ident = f"s{step.number}.{speaker}.{number}"
            if self.protocol == MADANG:
                frame = {"type": "statement.post", "id": ident, "text": text}
                self.pending_acks[ident] = ((speaker, number), sent)
            else:
                frame = {"message": text}
            step.sent[(speaker, number)] = sent
            with contextlib.suppress(ConnectionClosed):
                await client.ws.send(orjson.dumps(frame).decode())
            number += 1

    async def cmd_react(
        self, reactors: list[int], statement_id: int, kind: str, start_at: float, spread_s: float
    ) -> dict[str, Any]:
        sends: list[int] = []

        async def one(i: int, cid: int) -> None:
            client = self.clients.get(cid)
            if client is None or client.closed:
                return
            await _sleep_until(start_at + spread_s * i / max(1, len(reactors)))
            frame = {
                "type": "reaction.toggle",
                "id": f"r{cid}",
                "statement_id": statement_id,
                "kind": kind,
            }
            sends.append(now_us())
            with contextlib.suppress(ConnectionClosed):
                await client.ws.send(orjson.dumps(frame).decode())

        await asyncio.gather(*(one(i, cid) for i, cid in enumerate(reactors)))
        return {"first_send_us": min(sends, default=0), "last_send_us": max(sends, default=0)}

    async def cmd_vote(
        self,
        voters: list[int],
        statement_ids: list[int],
        start_at: float,
        end_at: float,
        rate: float,
    ) -> dict[str, Any]:
        """Vote on statements (opinion map) at ``rate`` votes a second until ``end_at``:
        the voters in turn, each on the next statement, agreeing or disagreeing by parity."""
        self.vote_acks = 0
        self.vote_errors = Counter()
        sent = 0
        if not voters or not statement_ids or rate <= 0:
            return {"sent": 0}
        count = int((end_at - start_at) * rate)
        for i in range(count):
            await _sleep_until(start_at + i / rate)
            cid = voters[i % len(voters)]
            client = self.clients.get(cid)
            if client is None or client.closed:
                continue
            statement = statement_ids[(i // len(voters) + cid) % len(statement_ids)]
            frame = {
                "type": "opinion.vote",
                "id": f"v{cid}.{i}",
                "statement_id": statement,
                "value": "agree" if (cid + statement) % 2 else "disagree",
            }
            sent += 1
            with contextlib.suppress(ConnectionClosed):
                await client.ws.send(orjson.dumps(frame).decode())
        return {"sent": sent}

    def cmd_vote_report(self) -> dict[str, Any]:
        return {"acks": self.vote_acks, "errors": dict(self.vote_errors)}

    def cmd_watch_reactions(self, statement_id: int, total: int) -> dict[str, Any]:
        self.reaction_target = (str(statement_id), total)
        self.reaction_acks = []
        self.reaction_errors = Counter()
        for client in self.clients.values():
            client.reaction_best = 0
            client.reaction_log = []
        return {}

    def cmd_reaction_report(self, total: int) -> dict[str, Any]:
        """When each open client first held counts adding up to ``total`` (0: never)."""
        done = [
            next((at for at, seen in c.reaction_log if seen >= total), 0)
            for c in self.clients.values()
            if not c.closed
        ]
        return {
            "done_us": array("q", [d for d in done if d]).tobytes(),
            "not_done": sum(1 for d in done if not d),
            "acks_us": array("q", self.reaction_acks).tobytes(),
            "errors": dict(self.reaction_errors),
        }

    async def cmd_churn(
        self,
        leavers: list[int],
        pool: list[ClientSpec],
        per_second: float,
        start_at: float,
        end_at: float,
    ) -> dict[str, Any]:
        """Every 1/per_second one churning client leaves and a fresh resident joins."""
        self.handshake_ms = array("f")
        self.join_errors = Counter()
        self.churn_joins = self.churn_leaves = 0
        churning = [self.clients[cid] for cid in leavers if cid in self.clients]
        interval = 1.0 / per_second
        tasks: list[asyncio.Task[Any]] = []
        for number, spec in enumerate(pool):
            due = start_at + number * interval
            if due >= end_at:
                break
            await _sleep_until(due)
            if churning:
                tasks.append(asyncio.create_task(self._leave(churning.pop(0))))
            tasks.append(asyncio.create_task(self._join_into(spec, churning)))
        await asyncio.gather(*tasks)
        return {
            "joins": self.churn_joins,
            "leaves": self.churn_leaves,
            "failed": sum(self.join_errors.values()),
            "errors": dict(self.join_errors),
            "handshake_ms": self.handshake_ms.tobytes(),
        }

    async def _join_into(self, spec: ClientSpec, joined: list[_Client]) -> None:
        client = await self._open(spec)
        if client is not None:
            self.churn_joins += 1
            joined.append(client)

    async def _leave(self, client: _Client) -> None:
        self.churn_leaves += 1
        with contextlib.suppress(Exception):
            await client.ws.close()
        if client.task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(client.task, 5)
        self.clients.pop(client.spec.cid, None)

    def cmd_progress(self) -> dict[str, Any]:
        """How far the step has come: receipts by members, posts sent and stored."""
        step = self.step
        if step is None:
            return {"receipts": 0, "sent": {}, "stored": {}, "unanswered": 0}
        sent: Counter[int] = Counter(speaker for speaker, _ in step.sent)
        stored: Counter[int] = Counter(k[0] for k, seq in step.acked.items() if seq is not None)
        answered = len(step.acked) + sum(step.post_errors.values())
        return {
            "receipts": step.member_receipts,
            "sent": dict(sent),
            "stored": dict(stored),
            "unanswered": len(step.sent) - answered if self.protocol == MADANG else 0,
        }

    def cmd_end(self) -> dict[str, Any]:
        step = self.step
        if step is None:
            return {}
        self.step = None
        gaps = sum(
            len(c.missing)
            for c in self.clients.values()
            if c.spec.cid in step.member_ids and not c.closed
        )
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "members": step.members,
            "latency_ms": step.latency_ms.tobytes(),
            "receipts": dict(step.receipts),
            "received": step.received,
            "duplicates": step.duplicates,
            "sent": step.sent,
            "acked": step.acked,
            "statement_ids": step.statement_ids,
            "ack_ms": step.ack_ms.tobytes(),
            "post_errors": dict(step.post_errors),
            "closed_members": step.closed_members,
            "seq_gaps": gaps,
            "unexpected_closes": dict(self.unexpected_closes),
            "speaker_substitutes": self.speaker_substitutes,
            "speaker_missing": self.speaker_missing,
            "cpu_s": usage.ru_utime + usage.ru_stime,
        }

    def cmd_usage(self) -> dict[str, Any]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "open": sum(1 for c in self.clients.values() if not c.closed),
            "unexpected_closes": dict(self.unexpected_closes),
        }

    async def cmd_close(self) -> dict[str, Any]:
        clients = list(self.clients.values())
        self.clients = {}
        for chunk in range(0, len(clients), 200):
            await asyncio.gather(
                *(_close_quietly(c) for c in clients[chunk : chunk + 200]),
                return_exceptions=True,
            )
        return {"closed": len(clients)}

    # -- plumbing -------------------------------------------------------------

    async def serve(self) -> None:
        self.loop = asyncio.get_running_loop()
        commands: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()

        def readable() -> None:
            try:
                commands.put_nowait(self.pipe.recv())
            except EOFError:
                commands.put_nowait(("quit", {}))

        self.loop.add_reader(self.pipe.fileno(), readable)
        running: set[asyncio.Task[None]] = set()
        while True:
            name, kwargs = await commands.get()
            if name == "quit":
                break
            task = self.loop.create_task(self._run(name, kwargs))
            running.add(task)
            task.add_done_callback(running.discard)
        self.loop.remove_reader(self.pipe.fileno())
        await self.cmd_close()

    async def _run(self, name: str, kwargs: dict[str, Any]) -> None:
        handler: Callable[..., Any] = getattr(self, f"cmd_{name}")
        try:
            result = handler(**kwargs)
            if asyncio.iscoroutine(result):
                result = await result
            self.pipe.send((name, "ok", result))
        except Exception as exc:  # noqa: BLE001 - the coordinator reports it
            self.pipe.send((name, "error", f"{type(exc).__name__}: {exc}"))


async def _close_quietly(client: _Client) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(client.ws.close(), 5)
    if client.task is not None:
        client.task.cancel()


async def _sleep_until(instant: float) -> None:
    delay = instant - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


def worker_main(index: int, protocol: str, pipe: Connection) -> None:
    """Entry point of a spawned worker process."""
    raise_open_files_limit()
    random.seed(index)
    asyncio.run(Worker(index, protocol, pipe).serve())


# ---------------------------------------------------------------------------
# Coordinator side
# ---------------------------------------------------------------------------


@dataclass
class LoadGenerator:
    """A pool of worker processes; ``call`` sends one command to each and gathers replies."""

    protocol: str
    workers: int = 4
    processes: list[Any] = field(default_factory=list)
    pipes: list[Connection] = field(default_factory=list)
    stash: dict[int, dict[str, list[tuple[str, Any]]]] = field(default_factory=dict)

    def start(self) -> LoadGenerator:
        ctx = multiprocessing.get_context("spawn")
        for index in range(self.workers):
            ours, theirs = ctx.Pipe()
            process = ctx.Process(
                target=worker_main, args=(index, self.protocol, theirs), daemon=True
            )
            process.start()
            theirs.close()
            self.processes.append(process)
            self.pipes.append(ours)
        return self

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def send(self, name: str, per_worker: list[dict[str, Any]]) -> None:
        for pipe, kwargs in zip(self.pipes, per_worker, strict=True):
            pipe.send((name, kwargs))

    def gather(self, name: str, timeout: float = 900.0) -> list[Any]:
        """Each worker's reply to command ``name`` (replies to other commands are kept)."""
        replies: list[Any] = []
        deadline = time.monotonic() + timeout
        for index, pipe in enumerate(self.pipes):
            kept = self.stash.setdefault(index, {})
            while name not in kept:
                if not pipe.poll(max(0.0, deadline - time.monotonic())):
                    raise TimeoutError(f"a load-generator worker did not answer {name!r} in time")
                got, status, value = pipe.recv()
                kept.setdefault(got, []).append((status, value))
            status, value = kept[name].pop(0)
            if not kept[name]:
                del kept[name]
            if status != "ok":
                raise RuntimeError(f"load-generator worker failed in {name!r}: {value}")
            replies.append(value)
        return replies

    def call(
        self, name: str, per_worker: list[dict[str, Any]] | None = None, **common: Any
    ) -> list[Any]:
        """Send a command to every worker and wait for all their replies."""
        self.send(name, per_worker or [dict(common) for _ in self.pipes])
        return self.gather(name)

    def split(self, items: list[Any]) -> list[list[Any]]:
        """Deal items round-robin to the workers."""
        shares: list[list[Any]] = [[] for _ in self.pipes]
        for i, item in enumerate(items):
            shares[i % len(shares)].append(item)
        return shares

    def stop(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError, BrokenPipeError):
                pipe.send(("quit", {}))
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
        self.processes.clear()
        self.pipes.clear()

    def __enter__(self) -> LoadGenerator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def merge_counts(dicts: list[dict[Any, int]]) -> Counter[Any]:
    total: Counter[Any] = Counter()
    for d in dicts:
        total.update(d)
    return total


def floats(blobs: list[bytes]) -> array[float]:
    out = array("f")
    for blob in blobs:
        out.frombytes(blob)
    return out


def ints(blobs: list[bytes]) -> array[int]:
    out = array("q")
    for blob in blobs:
        out.frombytes(blob)
    return out


def group_by_room(specs: list[ClientSpec]) -> dict[int, list[ClientSpec]]:
    rooms: dict[int, list[ClientSpec]] = defaultdict(list)
    for spec in specs:
        rooms[spec.room].append(spec)
    return rooms


def cpu_count() -> int:
    return os.cpu_count() or 1
