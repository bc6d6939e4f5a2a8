"""Hostile frames against a real Daphne: a 2 MB frame, a permessage-deflate compression bomb,
10,000 tiny fragments, invalid UTF-8, and handshakes trickled one byte a second. Each is
closed cleanly (or answered) with the server's memory bounded, and the room keeps serving."""

from __future__ import annotations

import asyncio
import contextlib
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
    # refused at the transport with the reason's close code (the launcher's 256 KB limit),
    # the 2 MB never buffered
    big_result = figures["2 MB frame"]
    assert big_result["close_code"] == 1009, figures
    assert big_result["rss_growth_kib"] < 2 * 1024, figures
    bomb_result = figures["compression bomb"]
    assert bomb_result["close_code"] in (1002, 1009), figures  # refused, never inflated
    assert bomb_result["rss_growth_kib"] < 32 * 1024, figures
    frag = figures["10,000 fragments"]
    assert frag["close_code"] == 1009 or "ack" in frag["replies"], figures
    assert figures["invalid UTF-8"]["close_code"] == 1007, figures
    assert figures["rss_total_growth_kib"] < 64 * 1024, figures


async def test_handshakes_trickled_one_byte_a_second_are_closed_by_the_server(
    make_room: Any, workers: Any, record_figures: Any
) -> None:
    """Every byte restarts Twisted's idle timeout; Madang's launcher gives each request a
    deadline for its headers (10 s by default), so the tricklers are cut off."""
    room = await asyncio.to_thread(make_room, 2)
    (server,) = await asyncio.to_thread(workers, 1)
    request = handshake_bytes(server.port, room.path, origin=server.origin, cookie=room.cookies[0])
    trickles = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(50)]
    for s in trickles:
        s.setblocking(False)
    rss_before = rss_kib(server.pid)
    rss_peak = rss_before
    started = time.monotonic()
    closed_after: dict[int, float] = {}
    answered_408 = 0
    sent = 0
    try:
        # one byte a second on each connection until the server has closed them all; the
        # test gives up after 40 s (4x the deadline), and a handshake is far longer than that
        for sent in range(1, min(len(request), 41) + 1):
            for i, s in enumerate(trickles):
                if i in closed_after:
                    continue
                try:
                    answer = s.recv(4096)
                except BlockingIOError:
                    answer = None
                except ConnectionResetError:
                    answer = b""
                if answer is None:
                    with contextlib.suppress(BlockingIOError, BrokenPipeError, ConnectionError):
                        s.send(request[sent - 1 : sent])
                    continue
                closed_after[i] = time.monotonic() - started
                answered_408 += answer.startswith(b"HTTP/1.1 408 ")
            rss_peak = max(rss_peak, rss_kib(server.pid))
            if len(closed_after) == len(trickles):
                break
            await asyncio.sleep(1)  # the attacker's pace, one byte a second
        serving = await _room_still_serves(server, room)
        rss_growth = rss_kib(server.pid) - rss_before
    finally:
        for s in trickles:
            s.close()
    seconds = sorted(closed_after.values())
    ledger = Ledger()
    ledger.extra.update(
        trickling_connections=len(trickles),
        closed_by_server=len(closed_after),
        answered_408=answered_408,
        bytes_sent_each_at_most=sent,
        handshake_bytes=len(request),
        closed_after_seconds_min=round(seconds[0], 1) if seconds else None,
        closed_after_seconds_max=round(seconds[-1], 1) if seconds else None,
        rss_peak_growth_kib=rss_peak - rss_before,
        rss_growth_kib=rss_growth,
    )
    record_figures("Handshakes trickled one byte a second (50 connections)", ledger)
    assert len(closed_after) == len(trickles), ledger.extra  # every one closed by the server
    assert serving
    assert rss_growth < 16 * 1024, ledger.extra
