"""A raw WebSocket client over a plain socket, for frames no well-behaved library sends:
oversized frames, compressed frames nobody negotiated, thousands of fragments, invalid
UTF-8 in a text frame, a handshake trickled one byte at a time."""

from __future__ import annotations

import base64
import os
import socket
import struct
import time

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def handshake_bytes(
    port: int, path: str, *, origin: str, cookie: str, extensions: str = ""
) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        f"Origin: {origin}",
        f"Cookie: {cookie}",
    ]
    if extensions:
        lines.append(f"Sec-WebSocket-Extensions: {extensions}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def frame(opcode: int, payload: bytes, *, fin: bool = True, rsv1: bool = False) -> bytes:
    """One masked client frame."""
    head = bytes([(0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    mask = os.urandom(4)
    body = (
        bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        if n < 65536
        else _mask_big(payload, mask)
    )
    return head + mask + body


def _mask_big(payload: bytes, mask: bytes) -> bytes:
    repeated = (mask * (len(payload) // 4 + 1))[: len(payload)]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
        len(payload), "big"
    )


class RawSocket:
    """A connected, upgraded socket; ``read_frame`` returns (opcode, payload) or None on EOF."""

    def __init__(
        self, port: int, path: str, *, origin: str, cookie: str, extensions: str = ""
    ) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(
            handshake_bytes(port, path, origin=origin, cookie=cookie, extensions=extensions)
        )
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed during handshake")
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        self.response_head = head.decode("latin-1")
        if " 101 " not in self.response_head.splitlines()[0]:
            raise ConnectionError(self.response_head)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _need(self, n: int, deadline: float) -> bool:
        while len(self.buffer) < n:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                raise TimeoutError from None
            except OSError:
                return False
            if not chunk:
                return False
            self.buffer += chunk
        return True

    def read_frame(self, timeout: float = 30.0) -> tuple[int, bytes] | None:
        deadline = time.monotonic() + timeout
        if not self._need(2, deadline):
            return None
        b0, b1 = self.buffer[0], self.buffer[1]
        n = b1 & 0x7F
        offset = 2
        if n == 126:
            if not self._need(4, deadline):
                return None
            n = struct.unpack("!H", self.buffer[2:4])[0]
            offset = 4
        elif n == 127:
            if not self._need(10, deadline):
                return None
            n = struct.unpack("!Q", self.buffer[2:10])[0]
            offset = 10
        if not self._need(offset + n, deadline):
            return None
        payload = self.buffer[offset : offset + n]
        self.buffer = self.buffer[offset + n :]
        return b0 & 0x0F, payload

    def read_until_close(
        self, timeout: float = 30.0, until_id: str = ""
    ) -> tuple[int | None, list[bytes]]:
        """Read frames until a close frame or EOF (or a reply to ``until_id``):
        (close code, or None for EOF or that reply, and the text payloads)."""
        texts: list[bytes] = []
        deadline = time.monotonic() + timeout
        while True:
            got = self.read_frame(timeout=max(0.01, deadline - time.monotonic()))
            if got is None:
                return None, texts
            if until_id and got[0] == OP_TEXT and f'"id":"{until_id}"'.encode() in got[1]:
                texts.append(got[1])
                return None, texts
            opcode, payload = got
            if opcode == OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return code, texts
            if opcode == OP_TEXT:
                texts.append(payload)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
