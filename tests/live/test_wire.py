"""The fan-out's direct write: bytes go to the kernel at once while nothing is queued, and
whatever the kernel does not take is queued behind, in order, by Twisted's own buffer."""

from __future__ import annotations

import socket
from typing import Any

from twisted.internet import error, tcp
from twisted.internet.protocol import Protocol

from deliberation.live import wire


class _Reactor:
    """The reactor calls a transport makes, recorded (no event loop runs in this test)."""

    def __init__(self) -> None:
        self.writers: set[Any] = set()

    def addReader(self, reader: Any) -> None:
        pass

    def removeReader(self, reader: Any) -> None:
        pass

    def addWriter(self, writer: Any) -> None:
        self.writers.add(writer)

    def removeWriter(self, writer: Any) -> None:
        self.writers.discard(writer)


def _transport() -> tuple[tcp.Server, socket.socket, _Reactor]:
    mine, peer = socket.socketpair()
    reactor = _Reactor()
    protocol = Protocol()
    transport = tcp.Server(mine, protocol, ("127.0.0.1", 1), None, 1, reactor)  # type: ignore[arg-type]
    protocol.makeConnection(transport)
    return transport, peer, reactor


def _read_all(peer: socket.socket, transport: tcp.Server, reactor: _Reactor) -> bytes:
    peer.setblocking(False)
    got = bytearray()
    while True:
        try:
            chunk = peer.recv(1 << 16)
        except BlockingIOError:
            if transport not in reactor.writers:
                return bytes(got)
            transport.doWrite()  # what the reactor does when the socket is writable
            continue
        got += chunk


def test_a_write_to_an_idle_socket_reaches_the_kernel_without_the_reactor() -> None:
    transport, peer, reactor = _transport()
    wire.write_now(transport, b"frame-1")
    assert not reactor.writers and not transport._tempDataLen
    assert peer.recv(100) == b"frame-1"


def test_what_the_kernel_does_not_take_is_queued_in_order() -> None:
    transport, peer, reactor = _transport()
    frames = [bytes([65 + i % 26]) * 50_000 + str(i).encode() for i in range(100)]
    for frame in frames:
        wire.write_now(transport, frame)
    # 5 MB does not fit in a socket pair's buffers: the rest waits in Twisted's buffer
    # and the transport asked the reactor to tell it when it may write again.
    assert transport in reactor.writers
    assert wire.backlog_of_transport(transport) > 0
    assert _read_all(peer, transport, reactor) == b"".join(frames)
    assert wire.backlog_of_transport(transport) == 0


def test_a_gone_peer_is_left_to_twisted_to_notice() -> None:
    transport, peer, reactor = _transport()
    peer.close()
    wire.write_now(transport, b"x" * 10)  # no exception escapes into the fan-out
    # The bytes went to Twisted's buffer, whose next write reports the lost connection
    # (the reactor then closes the transport and the room socket hears the disconnect).
    assert transport in reactor.writers
    assert isinstance(transport.doWrite(), error.ConnectionLost)
