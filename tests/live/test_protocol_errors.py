"""Bad input gets a clear error, the connection stays usable, nothing stored changes."""

from __future__ import annotations

import orjson
import pytest
from channels.db import database_sync_to_async

from deliberation.live.models import RoomEvent, Statement
from tests.live.conftest import Room, RoomClient, new_resident


@database_sync_to_async
def _stored() -> tuple[int, int]:
    return Statement.objects.count(), RoomEvent.objects.count()


async def _still_usable(client: RoomClient) -> None:
    assert (await client.ok("ping"))["now"]


async def _last_error(client: RoomClient, start: int) -> dict:
    return await client.wait_for(lambda m: m.get("type") == "error", start=start)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ('{"type": "ping", "id": "x", "n": NaN}', "bad_json"),
        ("[" * 3000 + "]" * 3000, "bad_json"),
        ("[1, 2, 3]", "not_object"),
        ('"hello"', "not_object"),
        ('{"type": "ping"}', "bad_id"),
        ('{"type": "ping", "id": 7}', "bad_id"),
        ('{"type": "ping", "id": ""}', "bad_id"),
        ('{"type": "ping", "id": "' + "x" * 65 + '"}', "bad_id"),
        ('{"id": "a1"}', "bad_type"),
        ('{"type": 5, "id": "a1"}', "bad_type"),
        ('{"type": "websocket.disconnect", "id": "a1"}', "unknown_type"),
        ('{"type": "room_broadcast", "id": "a1"}', "unknown_type"),
        ('{"type": "room.broadcast", "id": "a1", "text": "{}"}', "unknown_type"),
        ('{"type": "handle_text", "id": "a1"}', "unknown_type"),
        ('{"type": "__class__", "id": "a1"}', "unknown_type"),
        ('{"type": "statement.post", "id": "a1", "text": 5}', "bad_field"),
        ('{"type": "statement.post", "id": "a1"}', "bad_field"),
        ('{"type": "statement.post", "id": "a1", "text": "x", "parent_id": "1"}', "bad_field"),
        (
            '{"type": "reaction.toggle", "id": "a1", "statement_id": true, "kind": "공감"}',
            "bad_field",
        ),
        ('{"type": "resume", "id": "a1", "after": -1}', "bad_field"),
        ('{"type": "resume", "id": "a1", "after": "3"}', "bad_field"),
    ],
)
async def test_malformed_frames_get_a_clear_error(room: Room, frame: str, code: str) -> None:
    client = await room.join(await new_resident())
    before = await _stored()
    start = len(client.messages)
    await client.send_raw(frame)
    error = await _last_error(client, start)
    assert error["code"] == code
    assert error["message"] and error["retryable"] is False
    await _still_usable(client)
    assert await _stored() == before


async def test_binary_frames_are_refused(room: Room) -> None:
    client = await room.join(await new_resident())
    start = len(client.messages)
    await client.comm.send_to(bytes_data=b'{"type":"ping","id":"b"}')
    assert (await _last_error(client, start))["code"] == "binary_unsupported"
    await _still_usable(client)


async def test_oversized_frames_are_refused(room: Room) -> None:
    client = await room.join(await new_resident())
    before = await _stored()
    start = len(client.messages)
    frame = orjson.dumps({"type": "statement.post", "id": "big", "text": "가" * 6000}).decode()
    await client.send_raw(frame)
    assert (await _last_error(client, start))["code"] == "too_large"
    await _still_usable(client)
    assert await _stored() == before


async def test_a_flood_is_held_to_the_rate_limit(room: Room) -> None:
    client = await room.join(await new_resident())
    for i in range(60):
        await client.send_raw(orjson.dumps({"type": "ping", "id": f"f{i}"}).decode())
    replies = [await client.wait_for(lambda m, i=i: m.get("id") == f"f{i}") for i in range(60)]
    limited = [r for r in replies if r.get("code") == "rate_limited"]
    assert limited, "a flood must be limited"
    assert all(r["retryable"] and r["retry_after"] > 0 for r in limited)
    assert sum(r["type"] == "ack" for r in replies) < 40
    other = await room.join(await new_resident())
    await _still_usable(other)


async def test_a_database_outage_is_a_retryable_error_and_stores_nothing(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from deliberation.live import services

    client = await room.join(await new_resident())
    before = await _stored()

    def down(**kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(services, "statement_post", down)
    reply = await client.fail("statement.post", "unavailable", client_msg_id="d", text="저장 안 됨")
    assert reply["retryable"] is True
    await _still_usable(client)
    assert await _stored() == before


async def test_an_unexpected_failure_is_a_retryable_server_error(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deliberation.live import services

    client = await room.join(await new_resident())

    def broken(**kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(services, "hand_raise", broken)
    reply = await client.fail("hand.raise", "server_error")
    assert reply["retryable"] is True and "bug" not in reply["message"]
    await _still_usable(client)
