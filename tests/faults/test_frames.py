"""Hostile frames against a real Daphne: a 2 MB frame, a permessage-deflate compression bomb,
10,000 tiny fragments, invalid UTF-8, and handshakes trickled one byte a second. Each is
closed cleanly (or answered) with the server's memory bounded, and the room keeps serving."""

from __future__ import annotations

import asyncio
import socket
import time
import zlib
from typing import Any

import orjson
import pytest

from .conftest import ORIGIN, rss_kib
from .rawws import OP_CONT, OP_TEXT, RawSocket, frame, handshake_bytes
from .room_client import RoomClient
from .scenario import Ledger

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _snapshot_first(raw: RawSocket) -> None:
    got = raw.read_frame()
    assert got is not None and orjson.loads(got[1])["type"] == "snapshot"


async def _room_still_serves(server: Any, room: Any) -> bool:
    client = RoomClient(lambda: server.ws_url(room.path), cookie=room.cookies[1], origin=ORIGIN)
    await client.connect()
    reply = await client.request("ping")
    await client.close()
    return bool(reply["type"] == "ack")


async def test_hostile_frames_are_closed_cleanly_with_memory_bounded(
    make_room: Any, workers: Any, record_figures: Any
) -> None:
    room = await asyncio.to_thread(make_room, 2)
    (server,) = await asyncio.to_thread(workers, 1)
    cookie = room.cookies[0]
    figures: dict[str, Any] = {}
    rss_start = rss_kib(server.pid)

    def attack(name: str, extensions: str, payload: bytes, until_reply: str = "") -> None:
        raw = RawSocket(
            server.port, room.path, origin=server.origin, cookie=cookie, extensions=extensions
        )
        try:
            _snapshot_first(raw)
            before = rss_kib(server.pid)
            with_ext = "permessage-deflate" in raw.response_head.lower()
            raw.send(payload)
            code, texts = raw.read_until_close(timeout=20, until_id=until_reply)
            replies = [orjson.loads(t) for t in texts]
            figures[name] = {
                # None: the server dropped the TCP connection without a close frame
                "close_code": code,
                "replies": [r.get("code") or r.get("type") for r in replies if "id" in r][:5],
                "deflate_negotiated": with_ext,
                "rss_growth_kib": rss_kib(server.pid) - before,
            }
        finally:
            raw.close()

    # 1. one 2 MB text frame
    big = b'{"type":"statement.post","id":"big","text":"' + b"a" * (2 * 2**20) + b'"}'
    await asyncio.to_thread(attack, "2 MB frame", "", frame(OP_TEXT, big))

    # 2. a compression bomb: 200 MB of zeros deflated to a few hundred KB, RSV1 set
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = bomb.compress(b"\x00" * (200 * 2**20)) + bomb.flush(zlib.Z_SYNC_FLUSH)
    await asyncio.to_thread(
        attack,
        "compression bomb",
        "permessage-deflate; client_max_window_bits",
        frame(OP_TEXT, deflated[:-4], rsv1=True),
    )

    # 3. 10,000 one-byte fragments of one message
    message = orjson.dumps({"type": "ping", "id": "frag", "pad": "x" * 9950})
    pieces = [message[i : i + 1] for i in range(len(message))]
    while len(pieces) > 10_000:
        pieces[-2:] = [pieces[-2] + pieces[-1]]
    fragmented = b"".join(
        frame(OP_TEXT if i == 0 else OP_CONT, p, fin=i == len(pieces) - 1)
        for i, p in enumerate(pieces)
    )
    await asyncio.to_thread(attack, "10,000 fragments", "", fragmented, "frag")

    # 4. invalid UTF-8 in a text frame
    await asyncio.to_thread(attack, "invalid UTF-8", "", frame(OP_TEXT, b'{"type":"\xff\xfe"}'))

    serving = await _room_still_serves(server, room)
    figures["rss_total_growth_kib"] = rss_kib(server.pid) - rss_start
    ledger = Ledger()
    ledger.extra.update(figures)
    record_figures("Hostile frames against a real Daphne", ledger)

    assert serving
    assert server.alive()
    # refused at the transport: a 1009 close or the connection dropped, never buffered
    assert figures["2 MB frame"]["close_code"] in (1009, None), figures
    bomb_result = figures["compression bomb"]
    assert bomb_result["close_code"] in (1002, 1009, None), figures  # refused, never inflated
    assert bomb_result["rss_growth_kib"] < 32 * 1024, figures
    frag = figures["10,000 fragments"]
    assert frag["close_code"] in (1009, None) or "ack" in frag["replies"], figures
    assert figures["invalid UTF-8"]["close_code"] in (1007, None), figures
    assert figures["rss_total_growth_kib"] < 64 * 1024, figures


async def test_handshake_trickled_one_byte_a_second_does_not_hold_the_room(
    make_room: Any, workers: Any, record_figures: Any
) -> None:
    room = await asyncio.to_thread(make_room, 2)
    (server,) = await asyncio.to_thread(workers, 1)
    request = handshake_bytes(server.port, room.path, origin=server.origin, cookie=room.cookies[0])
    trickles = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(50)]
    rss_before = rss_kib(server.pid)
    closed_after: float | None = None
    started = time.monotonic()
    sent = 0
    try:
        # twenty seconds of one byte per second on fifty connections
        for sent in range(1, 21):
            for s in trickles:
                try:
                    s.sendall(request[sent - 1 : sent])
                except OSError:
                    closed_after = closed_after or time.monotonic() - started
            await asyncio.sleep(1)  # the attacker's pace, one byte a second
        serving = await _room_still_serves(server, room)
        rss_growth = rss_kib(server.pid) - rss_before
    finally:
        for s in trickles:
            s.close()
    ledger = Ledger()
    ledger.extra.update(
        trickling_connections=len(trickles),
        bytes_sent_each=sent,
        closed_by_server_after_seconds=closed_after,
        rss_growth_kib=rss_growth,
    )
    record_figures("Handshakes trickled one byte a second (50 connections, 20 s)", ledger)
    assert serving
    assert rss_growth < 16 * 1024, ledger.extra
