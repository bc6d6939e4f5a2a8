"""The origin check compares the scheme too; an unmatched WebSocket path is refused cleanly."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from .conftest import Connect, Room

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_https_page_cannot_open_a_plain_socket(ws: Connect, room: Room) -> None:
    _, accepted, _ = await ws(
        room.session.pk, cookie=room.resident_cookie, origin="https://127.0.0.1"
    )
    assert not accepted
    _, accepted, _ = await ws(
        room.session.pk, cookie=room.resident_cookie, origin="http://127.0.0.1"
    )
    assert accepted


async def _open(path: str, *, origin: str, proto: str | None, cookie: str) -> bool:
    from madang.asgi import application

    headers = [(b"host", b"127.0.0.1"), (b"origin", origin.encode()), (b"cookie", cookie.encode())]
    if proto:
        headers.append((b"x-forwarded-proto", proto.encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    try:
        accepted, _ = await communicator.connect(timeout=10)
        return bool(accepted)
    finally:
        await communicator.disconnect(timeout=5)


async def test_behind_the_https_proxy_only_https_pages_get_the_room(
    room: Room, settings: Any
) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    path = f"/ws/sessions/{room.session.pk}/"
    cookie = room.resident_cookie
    assert await _open(path, origin="https://127.0.0.1", proto="https", cookie=cookie)
    assert not await _open(path, origin="http://127.0.0.1", proto="https", cookie=cookie)
    assert not await _open(path, origin="https://127.0.0.1", proto="http", cookie=cookie)


@pytest.mark.parametrize(
    "path",
    ["/ws/sessions/1", "/ws/sessions/-1/", "/ws/sessions/abc/", "/ws/", "/ws/other/1/", "/x"],
)
async def test_unmatched_paths_are_refused_without_an_error(
    path: str, room: Room, caplog: pytest.LogCaptureFixture
) -> None:
    from madang.asgi import application

    headers = [
        (b"host", b"127.0.0.1"),
        (b"origin", b"http://127.0.0.1"),
        (b"cookie", room.resident_cookie.encode()),
    ]
    communicator = WebsocketCommunicator(application, path, headers=headers)
    with caplog.at_level(logging.WARNING):
        accepted, _ = await communicator.connect(timeout=10)
    await communicator.disconnect(timeout=5)
    assert not accepted  # closed before accept: Daphne answers the handshake with 403
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
