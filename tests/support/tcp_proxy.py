"""A small asyncio TCP proxy for fault tests: latency, a stall, a reset, a refusal.

It runs its own event loop in a background thread, so a test (sync or async) can put it
in front of Redis or PostgreSQL that other processes (Daphne workers) talk to, and turn
the faults on and off while they run::

    with TcpProxy("127.0.0.1", 5432) as proxy:
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{proxy.port}/..."
        proxy.stall()      # bytes stop flowing both ways; connections stay open
        proxy.resume()
        proxy.latency = 2  # every chunk arrives two seconds late, order kept
        proxy.reset()      # every open connection is aborted with a TCP RST
        proxy.refuse = True  # new connections are closed at once
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
import time
from collections import deque
from types import TracebackType


class _Pipe:
    """One direction of one proxied connection: read, wait out latency or a stall, write."""

    def __init__(
        self,
        proxy: TcpProxy,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.proxy = proxy
        self.reader = reader
        self.writer = writer
        self.chunks: deque[tuple[float, bytes]] = deque()
        self.ready = asyncio.Event()

    async def read_side(self) -> None:
        try:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    break
                self.chunks.append((time.monotonic() + self.proxy.latency, data))
                self.ready.set()
        except (ConnectionError, OSError):
            pass
        finally:
            self.chunks.append((0.0, b""))
            self.ready.set()

    async def write_side(self) -> None:
        try:
            while True:
                if not self.chunks:
                    self.ready.clear()
                    await self.ready.wait()
                    continue
                due, data = self.chunks[0]
                await self.proxy._flowing.wait()
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                    continue
                await self.proxy._flowing.wait()
                self.chunks.popleft()
                if not data:
                    with contextlib.suppress(OSError, RuntimeError):
                        self.writer.write_eof()
                    break
                self.writer.write(data)
                self.proxy.bytes_forwarded += len(data)
                await self.writer.drain()
        except (ConnectionError, OSError):
            pass


class TcpProxy:
    """Forward 127.0.0.1:``port`` to ``target_host``:``target_port`` with faults on demand."""

    def __init__(self, target_host: str, target_port: int, *, port: int = 0) -> None:
        self.target = (target_host, target_port)
        self.port = port
        self.latency = 0.0
        self.refuse = False
        self.connections_accepted = 0
        self.bytes_forwarded = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._flowing: asyncio.Event
        self._open: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> TcpProxy:
        self._thread.start()
        self._call(self._start())
        return self

    async def _start(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        self._abort_all()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- faults ------------------------------------------------------------------------

    def stall(self) -> None:
        """Stop forwarding bytes both ways; connections stay open, new ones are accepted."""
        self._loop.call_soon_threadsafe(self._flowing.clear)

    def resume(self) -> None:
        """Let held bytes flow again, in order."""
        self._loop.call_soon_threadsafe(self._flowing.set)

    def reset(self) -> None:
        """Abort every open connection with a TCP RST (both sides see a reset)."""
        self._call(self._reset())

    async def _reset(self) -> None:
        self._abort_all()

    @property
    def open_connections(self) -> int:
        return len(self._open)

    # -- internals ---------------------------------------------------------------------

    def _call(self, coro: object, timeout: float = 10.0) -> None:
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)  # type: ignore[arg-type]
        future.result(timeout)

    def _abort_all(self) -> None:
        for client_writer, upstream_writer in list(self._open):
            for writer in (client_writer, upstream_writer):
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                        )
                writer.transport.abort()
        self._open.clear()
        for task in list(self._tasks):
            task.cancel()

    async def _handle(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        self.connections_accepted += 1
        if self.refuse:
            client_writer.transport.abort()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        pair = (client_writer, upstream_writer)
        self._open.add(pair)
        up = _Pipe(self, client_reader, upstream_writer)
        down = _Pipe(self, upstream_reader, client_writer)
        tasks = [
            asyncio.ensure_future(coro)
            for coro in (up.read_side(), up.write_side(), down.read_side(), down.write_side())
        ]
        self._tasks.update(tasks)
        try:
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._tasks.difference_update(tasks)
            self._open.discard(pair)
            for writer in pair:
                writer.transport.abort()
