"""How many sockets one server process lets into a room at once.

A join (authorize, join the hub, build and send the snapshot) is a dozen database reads
on the thread pool. When a thousand phones come back at once (their worker died, the
venue's Wi-Fi returned), running every join at the same time makes each one slower than
the phone waits: the threads queue on the interpreter lock, every handshake times out,
the phones retry, and the server keeps working on joins nobody is waiting for. The
process stops letting anyone in.

The gate keeps that from happening. At most ``concurrency`` joins run at once; up to
``queue`` more wait their turn, each for at most ``wait`` seconds, and give up their place
as soon as their client goes away. A socket beyond that is told at once to come back
later (close code 4013), and the client retries with backoff and jitter, so the process
goes on admitting joins at the rate it can serve them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from django.conf import settings

IN, BUSY, GONE = "in", "busy", "gone"
FIGURES = ("running", "waiting", "admitted", "shed", "abandoned")


class JoinGate:
    """A semaphore with a bounded, abandonable waiting line, and counters for /ops."""

    def __init__(self, *, concurrency: int, queue: int, wait: float) -> None:
        if concurrency < 1 or queue < 0 or wait <= 0:
            raise ValueError("join gate: concurrency >= 1, queue >= 0 and wait > 0")
        self.concurrency = concurrency
        self.queue = queue
        self.wait = wait
        self.running = 0
        self.waiting = 0
        self.admitted = 0
        self.shed = 0
        self.abandoned = 0
        self._slots = asyncio.Semaphore(concurrency)

    @contextlib.asynccontextmanager
    async def enter(self, gone: Callable[[], Awaitable[Any]]) -> AsyncIterator[str]:
        """Yield ``IN`` holding a slot, ``BUSY`` (come back later) or ``GONE`` (client left).

        ``gone`` resolves when the client disconnects (the socket's next ASGI message
        before it is accepted can only be its disconnect).
        """
        if not self._slots.locked() and not self.waiting:
            await self._slots.acquire()  # a free slot and nobody ahead: no wait, no tasks
        elif self.waiting >= self.queue:
            self.shed += 1
            yield BUSY
            return
        else:
            outcome = await self._wait_for_slot(gone)
            if outcome != IN:
                yield outcome
                return
        self.running += 1
        self.admitted += 1
        try:
            yield IN
        finally:
            self.running -= 1
            self._slots.release()

    async def _wait_for_slot(self, gone: Callable[[], Awaitable[Any]]) -> str:
        """Wait in line: ``IN`` with a slot taken, else ``GONE`` or ``BUSY`` (none taken)."""
        self.waiting += 1
        acquire = asyncio.ensure_future(self._slots.acquire())
        left = asyncio.ensure_future(gone())
        got_in = False
        try:
            done, _ = await asyncio.wait(
                {acquire, left}, timeout=self.wait, return_when=asyncio.FIRST_COMPLETED
            )
            got_in = acquire in done and left not in done
        finally:
            self.waiting -= 1
            left.cancel()
            if not got_in:
                # Not going in (the client left, the wait ended, or this task was
                # cancelled): give back a slot granted meanwhile.
                await _give_back(acquire, self._slots)
        if got_in:
            return IN
        if left in done:
            self.abandoned += 1
            return GONE
        self.shed += 1
        return BUSY

    def figures(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in FIGURES}


async def _give_back(acquire: asyncio.Future[Any], slots: asyncio.Semaphore) -> None:
    if not acquire.done():
        acquire.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(acquire)
    if not acquire.cancelled():
        slots.release()


_gate: JoinGate | None = None


def gate() -> JoinGate:
    """This process's gate (made on first use, inside the server's event loop)."""
    global _gate
    if _gate is None:
        _gate = JoinGate(
            concurrency=settings.MADANG_JOIN_CONCURRENCY,
            queue=settings.MADANG_JOIN_QUEUE,
            wait=settings.MADANG_JOIN_WAIT_SECONDS,
        )
    return _gate


def figures() -> dict[str, int]:
    """This process's join counters (zeros before the first join)."""
    if _gate is None:
        return dict.fromkeys(FIGURES, 0)
    return _gate.figures()


def reset() -> None:
    """Forget the gate (tests change its settings; each event loop needs its own)."""
    global _gate
    _gate = None
