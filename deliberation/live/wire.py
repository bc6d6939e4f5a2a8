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
except ImportError:  # pragma: no cover - Daphne brings autobahn
    PreparedMessage = None  # type: ignore[assignment,misc]
    WebSocketProtocol = None  # type: ignore[assignment,misc]

STATE_OPEN = getattr(WebSocketProtocol, "STATE_OPEN", 3)

# Outcomes of ``write``.
SENT = 1
SKIPPED = 2  # the socket already holds this numbered event
OVERFLOW = 3  # the socket's unsent bytes passed the limit: close it (1013)
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
    """The autobahn protocol behind an ASGI ``send`` under Daphne, else None.

    Daphne passes ``functools.partial(server.handle_reply, protocol)``; Channels'
    session middleware wraps it in a bound method whose owner keeps it as ``real_send``.
    """
    for _ in range(8):
        inner = getattr(getattr(send, "__self__", None), "real_send", None)
        if inner is None:
            break
        send = inner
    if isinstance(send, functools.partial) and send.args:
        protocol = send.args[0]
        if PreparedMessage is not None and isinstance(protocol, WebSocketProtocol):
            return protocol
    return None


def backlog(protocol: Any) -> int:
    """Bytes written to this socket and not yet taken by the kernel (Twisted's buffer)."""
    transport = getattr(protocol, "transport", None)
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
        protocol.transport.write(prepared.payloadHybi)
    else:
        protocol.sendPreparedMessage(prepared)
    return SENT
