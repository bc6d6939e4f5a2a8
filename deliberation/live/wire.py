"""One WebSocket frame per room event, written to every local socket that keeps up.

Under Daphne every room socket's ASGI ``send`` ends in an autobahn WebSocket protocol.
Sending an event through ``send`` costs, per recipient, a chain of coroutines (the
session middleware's wrapper, Daphne's reply handler), a UTF-8 encode and a WebSocket
framing. The hub instead frames each event once (autobahn's ``PreparedMessage``, made
for broadcasting) and writes those bytes to each open socket's transport.

A socket that is still buffering, closing, behind on writes, or not served by Daphne
(``WebsocketCommunicator`` in tests) is left to its own ``push``.
"""

from __future__ import annotations

import functools
from typing import Any

try:
    from autobahn.websocket.protocol import PreparedMessage, WebSocketProtocol
    from twisted.internet.tcp import Server as TCPServer
except ImportError:  # pragma: no cover - Daphne brings autobahn and Twisted
    PreparedMessage = None  # type: ignore[assignment,misc]
    WebSocketProtocol = None  # type: ignore[assignment,misc]
    TCPServer = None  # type: ignore[assignment,misc]

STATE_OPEN = getattr(WebSocketProtocol, "STATE_OPEN", 3)

# Outcomes of ``write``.
SENT = 1
SKIPPED = 2  # the socket already holds this numbered event
OVERFLOW = 3  # the socket's unsent bytes passed the limit: close it (4013)
FALLBACK = 4  # use the socket's own push


class Frame:
    """An encoded event, framed once when first written to a Daphne socket."""

    __slots__ = ("_prepared", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._prepared: Any = None

    @property
    def prepared(self) -> Any:
        if self._prepared is None:
            self._prepared = PreparedMessage(self.text.encode("utf-8"), False, False, False)
        return self._prepared


def protocol_of(send: Any) -> Any:
    """The autobahn protocol behind an ASGI ``send`` under Daphne, else None."""
    protocol = connection_of(send)
    if PreparedMessage is not None and isinstance(protocol, WebSocketProtocol):
        return protocol
    return None


def connection_of(send: Any) -> Any:
    """The connection object an ASGI ``send`` writes to under Daphne, else None.

    Daphne passes ``functools.partial(server.handle_reply, protocol)``; Channels'
    session middleware wraps it in a bound method whose owner keeps it as ``real_send``.
    """
    for _ in range(8):
        inner = getattr(getattr(send, "__self__", None), "real_send", None)
        if inner is None:
            break
        send = inner
    if isinstance(send, functools.partial) and send.args:
        return send.args[0]
    return None


def backlog(protocol: Any) -> int:
    """Bytes written to this socket and not yet taken by the kernel (Twisted's buffer)."""
    return backlog_of_transport(getattr(protocol, "transport", None))


def backlog_of_transport(transport: Any) -> int:
    """Bytes a Twisted transport holds unsent (0 if it is not one)."""
    if transport is None:
        return 0
    try:
        return len(transport.dataBuffer) - transport.offset + transport._tempDataLen
    except (AttributeError, TypeError):
        return 0


def write(protocol: Any, socket: Any, frame: Frame, seq: int | None, limit: int) -> int:
    """Write ``frame`` to one live socket; returns SENT, SKIPPED, OVERFLOW or FALLBACK."""
    if protocol.state != STATE_OPEN:
        return FALLBACK
    if seq is not None:
        if seq <= socket.last_seq:
            return SKIPPED
    if backlog(protocol) > limit:
        return OVERFLOW
    if seq is not None:
        socket.last_seq = seq
    prepared = frame.prepared
    if getattr(protocol, "_perMessageCompress", None) is None and not protocol.send_queue:
        write_now(protocol.transport, prepared.payloadHybi)
    else:
        protocol.sendPreparedMessage(prepared)
    return SENT


def write_now(transport: Any, data: bytes) -> None:
    """Hand ``data`` to the kernel at once when nothing is queued for this socket.

    Twisted's ``write`` only buffers: it registers the socket with the reactor for writing
    and sends on the reactor's next turn, then unregisters it (two ``epoll_ctl`` calls and
    a reactor turn per write). For a room's fan-out, that is per recipient and per event.
    A plain TCP transport with an empty buffer is written directly with ``send``; what
    the kernel does not take (and every other transport, and every error) goes through
    Twisted's own ``write``, which keeps the order, the buffering and the error handling.
    """
    if (
        TCPServer is not None
        and type(transport) is TCPServer
        and transport.connected
        and not transport.disconnecting
        and not transport._writeDisconnected
        and not transport._tempDataLen
        and len(transport.dataBuffer) == transport.offset
    ):
        try:
            sent = transport.socket.send(data)
        except OSError:  # would block, or the peer is gone: Twisted's write will tell
            sent = 0
        if sent >= len(data):
            return
        data = data[sent:]
    transport.write(data)
