"""WebSocket attacks through the real ASGI application: hijacking from other origins, stolen
or stale identities, privilege escalation, malformed frames, internal handler names,
reused message ids and log-line injection. Each is refused with a clear answer and
nothing stored changes."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError

from deliberation.agendas.models import Session
from deliberation.live.models import Participant, RoomEvent, Statement
from deliberation.people.identity import resident_token
from deliberation.people.models import User
from deliberation.people.services import user_revoke_tokens

from .conftest import Connect, Room, ask, cookie_for, reply_to

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def fingerprint(session_id: int) -> tuple[Any, ...]:
    """Everything an attack could change in a room, in one comparable value."""
    session = Session.objects.get(pk=session_id)
    return (
        session.state,
        session.locked,
        session.slow_mode_seconds,
        session.premoderation,
        session.last_seq,
        list(Statement.objects.filter(session_id=session_id).values_list("pk", "text", "status")),
        RoomEvent.objects.filter(session_id=session_id).count(),
        list(
            Participant.objects.filter(session_id=session_id)
            .order_by("pk")
            .values_list("person_id", "muted", "removed", "banned")
        ),
    )


# -- cross-site WebSocket hijacking ------------------------------------------------------

FOREIGN_ORIGINS = [
    "http://evil.example",
    "https://evil.example",
    "HTTP://EVIL.EXAMPLE",
    "null",
    "",
    "http://127.0.0.1.evil.example",
    "http://localhost.evil.example",
    "http://evil.example/127.0.0.1",
    "http://127.0.0.1@evil.example",
    "http://evil.example#127.0.0.1",
    "http://127.0.0.1%2eevil.example",
    "http://xn--127-0-0-1.example",
    "http://127.0.0.2",
    "http://evillocalhost",
    "http://localhost:80@evil.example",
    "file://",
    "chrome-extension://abcdefghijklmnop",
    "http://[::1]",
    # port variants of an allowed host: another site on the same machine
    "http://127.0.0.1:9999",
    "http://127.0.0.1:8000",
    "http://localhost",
    "HTTP://LOCALHOST:1",
    "http://127.0.0.1 http://evil.example",
]


async def test_own_origin_with_a_valid_cookie_gets_the_room(ws: Connect, room: Room) -> None:
    _, accepted, first = await ws(room.session.pk, cookie=room.resident_cookie)
    assert accepted
    assert first is not None and first["type"] == "snapshot"


async def test_foreign_origins_with_a_valid_cookie_get_no_room(ws: Connect, room: Room) -> None:
    admitted = []
    for origin in FOREIGN_ORIGINS:
        for cookie in (room.resident_cookie, room.facilitator_cookie):
            _, accepted, _ = await ws(room.session.pk, cookie=cookie, origin=origin)
            if accepted:
                admitted.append(origin)
    assert admitted == []


async def test_missing_origin_with_a_valid_cookie_gets_no_room(ws: Connect, room: Room) -> None:
    _, accepted, _ = await ws(room.session.pk, cookie=room.resident_cookie, origin=None)
    assert not accepted


# -- identities ----------------------------------------------------------------------------


async def test_no_cookie_gets_no_room(ws: Connect, room: Room) -> None:
    _, accepted, _ = await ws(room.session.pk, cookie=None)
    assert not accepted
    _, accepted, _ = await ws(room.session.pk, cookie="sessionid=nonsense; madang_resident=x")
    assert not accepted


async def test_forged_resident_cookie_gets_no_room(ws: Connect, room: Room) -> None:
    name = settings.RESIDENT_COOKIE_NAME
    forged = signing.dumps({"u": room.facilitator.pk, "v": 0}, key="guess", salt="madang.resident")
    # a real cookie with its payload swapped for another person's (signature kept)
    real = resident_token(room.resident)
    swapped = signing.b64_encode(
        signing.JSONSerializer().dumps({"u": room.facilitator.pk, "v": 0})
    ).decode()
    edited = swapped + real[real.index(":") :]
    for value in (forged, edited, "", '"unterminated', "a" * 4096):
        _, accepted, _ = await ws(room.session.pk, cookie=f"{name}={value}")
        assert not accepted, value


async def test_signed_out_and_expired_cookies_get_no_room(
    ws: Connect, room: Room, settings: Any
) -> None:
    await sync_to_async(user_revoke_tokens)(user=room.resident)  # sign-out elsewhere, or a ban
    _, accepted, _ = await ws(room.session.pk, cookie=room.resident_cookie)
    assert not accepted

    settings.RESIDENT_COOKIE_MAX_AGE = -1  # every cookie is older than its life now
    _, accepted, _ = await ws(room.session.pk, cookie=room.other_cookie)
    assert not accepted


async def test_signed_out_account_session_gets_no_room(ws: Connect, room: Room) -> None:
    from django.contrib.sessions.models import Session as DjangoSession

    await sync_to_async(lambda: DjangoSession.objects.all().delete())()
    _, accepted, _ = await ws(room.session.pk, cookie=room.facilitator_cookie)
    assert not accepted


# -- privilege -----------------------------------------------------------------------------

STAFF_ACTIONS: list[tuple[str, dict[str, Any]]] = [
    ("floor.grant", {"user_id": None}),
    ("floor.extend", {"seconds": 600}),
    ("floor.end", {}),
    ("floor.skip", {}),
    ("room.open", {}),
    ("room.pause", {}),
    ("room.close", {}),
    ("room.lock", {"locked": True}),
    ("room.slow_mode", {"seconds": 3600}),
    ("room.premoderation", {"enabled": True}),
    ("statement.approve", {"statement_id": 1}),
    ("statement.reject", {"statement_id": 1}),
    ("statement.pin", {"statement_id": 1}),
    ("statement.hide", {"statement_id": 1, "reason": "x"}),
    ("statement.restore", {"statement_id": 1, "reason": "x"}),
    ("participant.mute", {"user_id": 1}),
    ("participant.remove", {"user_id": 1}),
    ("participant.ban", {"user_id": 1}),
    ("report.resolve", {"report_id": 1, "status": "dismissed"}),
]


async def test_resident_cannot_use_facilitator_actions(ws: Connect, room: Room) -> None:
    other, accepted, _ = await ws(room.session.pk, cookie=room.other_cookie)
    assert accepted
    posted = await ask(other, "statement.post", "victim", text="다른 주민의 발언")
    assert posted["type"] == "ack"
    target = posted["statement_id"]

    attacker, accepted, _ = await ws(room.session.pk, cookie=room.resident_cookie)
    assert accepted
    before = await fingerprint(room.session.pk)
    for n, (kind, fields) in enumerate(STAFF_ACTIONS):
        fields = {
            k: (
                target
                if k == "statement_id"
                else room.other_resident.pk
                if k == "user_id" and v
                else v
            )
            for k, v in fields.items()
        }
        reply = await ask(attacker, kind, f"a{n}", **fields)
        assert reply["type"] == "error", (kind, reply)
        assert reply["code"] == "forbidden", (kind, reply)
        assert reply["message"]  # a clear (Korean) message
    assert await fingerprint(room.session.pk) == before
    # the connection stays usable after refusals
    assert (await ask(attacker, "ping", "still-here"))["type"] == "ack"


async def test_restricted_room_is_refused_and_looks_like_no_room(
    ws: Connect, room: Room, restricted_room: Session, ministry_staff_factory: Any
) -> None:
    internal_staff = await sync_to_async(ministry_staff_factory)(clearance=User.Clearance.INTERNAL)
    internal_cookie = await sync_to_async(cookie_for)(internal_staff)
    missing_id = restricted_room.pk + 10_000
    for cookie in (room.resident_cookie, internal_cookie):
        _, to_restricted, _ = await ws(restricted_room.pk, cookie=cookie)
        _, to_missing, _ = await ws(missing_id, cookie=cookie)
        assert not to_restricted
        assert not to_missing
    # ids that do not fit the route (-1, 1e9) are refused by the router before any code runs
    for guess in ("0", "9223372036854775807", "99999999999999999999999"):
        _, accepted, _ = await ws(guess, cookie=room.resident_cookie)
        assert not accepted, guess


async def test_restricted_session_is_invisible_over_http(
    room: Room, restricted_room: Session
) -> None:
    from django.test import AsyncClient

    client = AsyncClient(headers={"cookie": room.resident_cookie})
    missing = restricted_room.pk + 10_000
    for template in ("/sessions/{}/", "/sessions/{}/room/", "/sessions/{}/projector/"):
        hidden = await client.get(template.format(restricted_room.pk))
        absent = await client.get(template.format(missing))
        assert hidden.status_code == absent.status_code == 404, template
        assert restricted_room.title.encode() not in hidden.content
    home = await client.get("/")
    assert restricted_room.title.encode() not in home.content
    assert restricted_room.agenda.title.encode() not in home.content


# -- malformed frames ----------------------------------------------------------------------

MALFORMED: list[tuple[str, str | tuple[str, ...]]] = [
    # 10,000-deep nesting is 20 KB (over the frame limit); 8,000-deep fits and is parsed
    ("[" * 10_000 + "]" * 10_000, ("too_large", "bad_json")),
    ("[" * 8_000 + "]" * 8_000, "bad_json"),
    (
        '{"type": "statement.post", "id": "d", "text": ' + "[" * 7_000 + "]" * 7_000 + "}",
        "bad_json",
    ),
    ("not json", "bad_json"),
    (" ", "bad_json"),
    ('{"type": "statement.post", "id": "n", "text": NaN}', "bad_json"),
    ('{"type": "resume", "id": "n", "after": NaN}', "bad_json"),
    ('{"type": "resume", "id": "n", "after": Infinity}', "bad_json"),
    ("[1, 2, 3]", "not_object"),
    ('"statement.post"', "not_object"),
    ("null", "not_object"),
    ('{"id": "t"}', "bad_type"),
    ('{"type": 7, "id": "t"}', "bad_type"),
    ('{"type": "ping"}', "bad_id"),
    ('{"type": "ping", "id": ""}', "bad_id"),
    ('{"type": "ping", "id": ' + '"' + "x" * 65 + '"}', "bad_id"),
    ('{"type": "ping", "id": {"$gt": ""}}', "bad_id"),
    ('{"type": "statement.post", "id": "f", "text": 12}', "bad_field"),
    ('{"type": "statement.post", "id": "f", "text": "a", "parent_id": "1 OR 1=1"}', "bad_field"),
    ('{"type": "resume", "id": "f", "after": -5}', "bad_field"),
    ('{"type": "resume", "id": "f", "after": 1e400}', "bad_json"),
    ('{"type": "reaction.toggle", "id": "f", "statement_id": 1, "kind": "<script>"}', "bad_field"),
]


async def test_malformed_frames_get_clear_errors_and_change_nothing(
    ws: Connect, room: Room
) -> None:
    communicator, accepted, _ = await ws(room.session.pk, cookie=room.resident_cookie)
    assert accepted
    before = await fingerprint(room.session.pk)
    for frame, code in MALFORMED:
        await communicator.send_to(text_data=frame)
        msg = await communicator.receive_json_from(timeout=10)
        assert msg["type"] == "error", frame[:80]
        assert msg["code"] in ((code,) if isinstance(code, str) else code), (frame[:80], msg)
        assert msg["message"]
        assert msg["retryable"] is False
    assert await fingerprint(room.session.pk) == before
    assert (await ask(communicator, "ping", "alive"))["type"] == "ack"


async def test_huge_string_binary_frames_and_lone_surrogates(ws: Connect, room: Room) -> None:
    communicator, accepted, _ = await ws(room.session.pk, cookie=room.resident_cookie)
    assert accepted
    before = await fingerprint(room.session.pk)

    ten_mb = '{"type": "statement.post", "id": "big", "text": "' + "가" * (10 * 2**20 // 3) + '"}'
    await communicator.send_to(text_data=ten_mb)
    msg = await communicator.receive_json_from(timeout=30)
    assert (msg["type"], msg["code"]) == ("error", "too_large")

    for blob in (b'{"type": "ping", "id": "b"}', b"\xff\xfe\xfd", b"\x00" * 100):
        await communicator.send_to(bytes_data=blob)
        msg = await communicator.receive_json_from(timeout=10)
        assert (msg["type"], msg["code"]) == ("error", "binary_unsupported")

    surrogate = '{"type": "statement.post", "id": "s", "text": "\\ud800 and \\udfff alone"}'
    await communicator.send_to(text_data=surrogate)
    msg = await reply_to(communicator, "s", also_anonymous=True)
    if msg["type"] == "ack":  # accepted only with the lone surrogates removed
        stored = await sync_to_async(Statement.objects.get)(pk=msg["statement_id"])
        stored.text.encode("utf-8")  # storable and sendable as UTF-8
    else:
        assert msg["code"] in ("bad_field", "bad_json", "empty_text")
        assert await fingerprint(room.session.pk) == before
    assert (await ask(communicator, "ping", "alive"))["type"] == "ack"


INTERNAL_NAMES = [
    "websocket.disconnect",
    "websocket.receive",
    "websocket.connect",
    "websocket.close",
    "websocket.send",
    "websocket_disconnect",
    "room.broadcast",
    "room_broadcast",
    "user.broadcast",
    "staff.broadcast",
    "receive",
    "receive_json",
    "send",
    "close",
    "disconnect",
    "dispatch",
    "__init__",
    "__class__",
    "__call__",
    "snapshot",
    "ack",
    "error",
    "kicked",
    "statement.new",
    "statement_post",
    "STATEMENT.POST",
    "statement.post\u0000",
    " statement.post",
]


async def test_internal_handler_names_run_nothing(ws: Connect, room: Room) -> None:
    communicator, accepted, _ = await ws(room.session.pk, cookie=room.resident_cookie)
    assert accepted
    before = await fingerprint(room.session.pk)
    for n, name in enumerate(INTERNAL_NAMES):
        reply = await ask(
            communicator, name, f"i{n}", text="<b>x</b>", code=1000, seq=1, statement={"id": 1}
        )
        assert (reply["type"], reply["code"]) == ("error", "unknown_type"), name
    assert await fingerprint(room.session.pk) == before
    # "websocket.disconnect" did not disconnect anyone: the socket still answers
    assert (await ask(communicator, "ping", "alive"))["type"] == "ack"


# -- idempotency -----------------------------------------------------------------------------


async def test_reused_message_id_with_other_text_returns_the_original(
    ws: Connect, room: Room
) -> None:
    communicator, accepted, _ = await ws(room.session.pk, cookie=room.resident_cookie)
    assert accepted
    first = await ask(communicator, "statement.post", "same-id", text="처음 한 말")
    assert first["type"] == "ack" and first["duplicate"] is False
    before = await fingerprint(room.session.pk)

    again = await ask(communicator, "statement.post", "same-id", text="바꿔치기한 말")
    assert again["type"] == "ack"
    assert again["duplicate"] is True
    assert again["statement_id"] == first["statement_id"]
    assert again["seq"] == first["seq"]
    assert await fingerprint(room.session.pk) == before
    texts = await sync_to_async(
        lambda: list(Statement.objects.filter(session=room.session).values_list("text", flat=True))
    )()
    assert texts == ["처음 한 말"]

    # the same id from another tab of the same person is the same statement too
    tab, accepted, _ = await ws(room.session.pk, cookie=room.resident_cookie)
    assert accepted
    third = await ask(tab, "statement.post", "same-id", text="세 번째")
    assert third["statement_id"] == first["statement_id"]
    assert await fingerprint(room.session.pk) == before


# -- impersonation and log injection -----------------------------------------------------------


def test_nicknames_lose_bidi_overrides_and_invisible_characters(organisation_factory: Any) -> None:
    from deliberation.people.services import resident_join

    region = organisation_factory()
    tricks = {
        "\u202e자운영\u202c": "자운영",  # right-to-left override
        "전주\u200b토박이": "전주토박이",  # zero-width space between syllables
        "\u2066한옥마을\u2069": "한옥마을",  # isolates
        "비\u200d빔\u200c밥\ufeff": "비빔밥",  # joiners and BOM
        "콩나물\u0000\u0007": "콩나물",
    }
    for raw, shown in tricks.items():
        user = resident_join(nickname=raw, region=region)
        assert user.nickname == shown, repr(user.nickname)
    # Hidden characters cannot smuggle a staff word past the reserved names either.
    for staff_word in (
        "진행\u200b자",
        "\u2066관리자\u2069",
        "사\u200d회\u200c자\ufeff",
        "운영자\u0007",
    ):
        with pytest.raises(ValidationError):
            resident_join(nickname=staff_word, region=region)
    with pytest.raises(Exception):  # noqa: B017 - nothing visible left: refused
        resident_join(nickname="\u200b\u202e\u2066", region=region)


async def test_crlf_in_text_never_forges_a_log_line(
    ws: Connect, room: Room, caplog: pytest.LogCaptureFixture
) -> None:
    communicator, accepted, _ = await ws(room.session.pk, cookie=room.resident_cookie)
    assert accepted
    forged = "안녕\r\nINFO 2026-11-25 admin banned everyone\n\rERROR fake"
    with caplog.at_level(logging.DEBUG):
        await ask(communicator, "statement.post", "crlf\r\nINFO forged-id", text=forged)
        await ask(communicator, "statement.post", "crlf-2", text=forged)
        await ask(communicator, "no\r\nsuch.type", "crlf-3")
    for record in caplog.records:
        line = record.getMessage()
        assert "\r" not in line, line
        assert "\nINFO 2026" not in line, line
