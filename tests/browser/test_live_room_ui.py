"""The room pages in real chromium against a scripted socket: rendering, escaping, resend.

The server side of the socket is played by the test (Playwright's WebSocket routing), so
every message the page gets is exactly the protocol's, and every frame it sends is seen.
The end-to-end journey against the real consumer is in test_live_room.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from deliberation.agendas.models import Session
from deliberation.people.identity import resident_token
from tests.browser.conftest import wait_until
from tests.factories import ResidentFactory, SessionFactory

pytestmark = pytest.mark.browser

# The room's round trips go through a real server on a shared machine: conditions get
# time to become true (they still pass the moment they are).
expect.set_options(timeout=20_000)

WS = re.compile(r".*/ws/sessions/\d+/.*")


class ScriptedRoom:
    """Plays the server: answers the snapshot, records frames, acks on request."""

    def __init__(self, me: Any, session: Session) -> None:
        self.me = me
        self.session = session
        self.sockets: list[Any] = []
        self.frames: list[dict[str, Any]] = []
        self.urls: list[str] = []
        self.seq = 3
        self.auto_ack = True

    def snapshot(self) -> dict[str, Any]:
        now = dt.datetime.now(dt.UTC)
        return {
            "type": "snapshot",
            "protocol": 1,
            "seq": self.seq,
            "now": now.isoformat(),
            "session": {
                "id": self.session.pk,
                "title": self.session.title,
                "kind": "open_mic",
                "state": "live",
                "locked": False,
                "slow_mode_seconds": 0,
                "premoderation": False,
                "turn_seconds": 120,
            },
            "me": {
                "id": self.me.pk,
                "nickname": self.me.nickname,
                "role": "resident",
                "staff": False,
                "muted": False,
                "hand_raised": False,
            },
            "statements": [
                statement(
                    1, 901, "먼저 온 사람", "청년 해외 일자리 정보가 한곳에 모였으면 합니다.", seq=2
                )
            ],
            "pinned": [],
            "queue": [{"user_id": 901, "nickname": "먼저 온 사람", "raised_at": now.isoformat()}],
            "floor": None,
            "presence": 3,
            "reactions": {"1": {"공감": 2, "궁금해요": 0, "아쉬워요": 0}},
            "my_reactions": [],
            "moderation_log": [],
            "parts": {},
        }

    def handle(self, ws: Any) -> None:
        self.sockets.append(ws)
        self.urls.append(ws.url)
        ws.on_message(lambda message: self.on_frame(ws, message))
        ws.send(json.dumps(self.snapshot(), ensure_ascii=False))

    def on_frame(self, ws: Any, message: str | bytes) -> None:
        frame = json.loads(message)
        self.frames.append(frame)
        if self.auto_ack:
            ws.send(json.dumps({"type": "ack", "id": frame["id"], "status": "visible"}))

    def push(self, event: dict[str, Any]) -> None:
        if "seq" in event:
            self.seq = event["seq"]
        self.sockets[-1].send(json.dumps(event, ensure_ascii=False))


def statement(
    sid: int, author_id: int, nickname: str, text: str, *, seq: int, on_stage: bool = False
) -> dict[str, Any]:
    return {
        "id": sid,
        "author": {"id": author_id, "nickname": nickname},
        "text": text,
        "html": "",
        "stance": None,
        "parent_id": None,
        "on_stage": on_stage,
        "status": "visible",
        "pinned": False,
        "answered": False,
        "answer_id": None,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "seq": seq,
    }


def resident_page(new_page: Any, base: str, resident: Any, width: int = 360) -> Any:
    page = new_page(width=width)
    page.context.add_cookies(
        [{"name": settings.RESIDENT_COOKIE_NAME, "value": resident_token(resident), "url": base}]
    )
    return page


def test_room_renders_the_protocol_and_escapes_user_text(
    live_server_url: str, new_page: Any, axe_check: Any, shot: Any
) -> None:
    session = SessionFactory(state=Session.State.LIVE, title="청년 해외 일자리 자유발언대")
    resident = ResidentFactory(nickname="마당주민")
    room = ScriptedRoom(resident, session)
    page = resident_page(new_page, live_server_url, resident)
    page.route_web_socket(WS, room.handle)
    page.goto(f"{live_server_url}/sessions/{session.pk}/room/")

    expect(page.locator("[data-conn]")).to_have_text("연결됨")
    expect(page.get_by_text("청년 해외 일자리 정보가 한곳에 모였으면 합니다.")).to_be_visible()
    expect(page.locator("[data-queue-list] li")).to_have_count(1)
    expect(page.locator("[data-presence]")).to_have_text("3명 참여 중")

    # Markup in a statement stays text; its link is a safe, clickable anchor.
    room.push(
        {
            "type": "statement.new",
            "seq": 4,
            "statement": statement(
                2,
                902,
                "<b>손님</b>",
                '<img src=x onerror="window.pwned=1"> 참고 https://www.mofa.go.kr/ 입니다',
                seq=4,
            ),
        }
    )
    item = page.locator("#statement-2")
    expect(item).to_contain_text('<img src=x onerror="window.pwned=1">')
    expect(item.locator(".statement__author")).to_have_text("<b>손님</b>")
    link = item.locator("a")
    expect(link).to_have_attribute("href", "https://www.mofa.go.kr/")
    expect(link).to_have_attribute("rel", "nofollow noopener noreferrer")
    assert item.locator("img").count() == 0
    assert page.evaluate("window.pwned") is None
    expect(page.locator("[data-announcer]")).to_contain_text("새 발언, <b>손님</b>")

    # An event ahead of its predecessor waits for it; then both appear in order.
    room.push(
        {
            "type": "statement.new",
            "seq": 6,
            "statement": statement(4, 903, "셋째", "여섯 번째 사건", seq=6),
        }
    )
    room.push(
        {
            "type": "statement.new",
            "seq": 5,
            "statement": statement(3, 904, "둘째", "다섯 번째 사건", seq=5),
        }
    )
    expect(page.locator("[data-side-list] > li")).to_have_count(4)
    texts = page.locator("[data-side-list] .statement__text").all_inner_texts()
    assert texts[-2:] == ["다섯 번째 사건", "여섯 번째 사건"]

    # Raise a hand: the frame follows the protocol.
    page.get_by_role("button", name="발언 신청").click()
    wait_until(page, "window.madangRoom.client.pendingCount() === 0")
    assert any(f["type"] == "hand.raise" and isinstance(f["id"], str) for f in room.frames)
    room.push(
        {
            "type": "queue.changed",
            "seq": 7,
            "queue": [
                {
                    "user_id": 901,
                    "nickname": "먼저 온 사람",
                    "raised_at": "2026-11-25T03:00:00+00:00",
                },
                {
                    "user_id": resident.pk,
                    "nickname": "마당주민",
                    "raised_at": "2026-11-25T03:01:00+00:00",
                },
            ],
        }
    )
    expect(page.locator("[data-hand-status]")).to_have_text("발언 대기 2번째입니다.")
    expect(page.get_by_role("button", name="발언 신청 취소")).to_have_attribute(
        "aria-pressed", "true"
    )

    # The floor: the countdown follows the server's clock, not the device's.
    now = dt.datetime.now(dt.UTC)
    room.push(
        {
            "type": "floor.changed",
            "seq": 8,
            "floor": {
                "turn_id": 1,
                "user_id": 901,
                "nickname": "먼저 온 사람",
                "started_at": now.isoformat(),
                "ends_at": (now + dt.timedelta(seconds=90)).isoformat(),
                "now": now.isoformat(),
            },
            "previous": None,
        }
    )
    expect(page.locator("[data-stage-speaker]")).to_contain_text("먼저 온 사람")
    expect(page.locator("[data-stage-timer]")).to_have_text(re.compile(r"1:(2\d|30)"))

    # Composer: the counter counts characters, not UTF-16 units.
    page.get_by_label("의견 쓰기").fill("좋은 의견 😀")
    expect(page.locator("[data-composer-count]")).to_have_text("7 / 1,000자")

    assert page.madang_errors == []
    axe_check(page, "resident room (scripted)")
    shot(page, "room-scripted-360")


def test_unacknowledged_statement_is_resent_once_after_reconnect(
    live_server_url: str, new_page: Any
) -> None:
    session = SessionFactory(state=Session.State.LIVE)
    resident = ResidentFactory(nickname="다시연결")
    room = ScriptedRoom(resident, session)
    room.auto_ack = False
    page = resident_page(new_page, live_server_url, resident, width=390)
    page.route_web_socket(WS, room.handle)
    page.goto(f"{live_server_url}/sessions/{session.pk}/room/")
    expect(page.locator("[data-conn]")).to_have_text("연결됨")

    page.get_by_label("의견 쓰기").fill("연결이 끊겨도 한 번만 올라가야 합니다")
    page.get_by_role("button", name="보내기").click()
    wait_until(page, "window.madangRoom.client.pendingCount() === 1")
    posts = [f for f in room.frames if f["type"] == "statement.post"]
    assert len(posts) == 1

    # The server goes away before acknowledging; the page says so and comes back.
    room.sockets[-1].close(code=1012, reason="restart")
    expect(page.locator("[data-conn]")).to_have_text(re.compile("다시 연결 중…|연결됨"))
    expect(page.locator("[data-conn]")).to_have_text("연결됨", timeout=20_000)
    wait_until(
        page,
        "window.madangRoom.client.outbox.size === 1 && window.madangRoom.client.stats.resent === 1",
    )
    assert len(room.sockets) == 2
    assert room.urls[-1].endswith("?after=3")
    posts = [f for f in room.frames if f["type"] == "statement.post"]
    assert [p["id"] for p in posts] == [posts[0]["id"]] * 2, "resent exactly once, same id"
    assert posts[1]["text"] == posts[0]["text"]

    room.sockets[-1].send(
        json.dumps(
            {
                "type": "ack",
                "id": posts[0]["id"],
                "statement_id": 5,
                "seq": 4,
                "status": "visible",
                "duplicate": True,
            }
        )
    )
    wait_until(page, "window.madangRoom.client.pendingCount() === 0")
    assert len([f for f in room.frames if f["type"] == "statement.post"]) == 2
    assert page.madang_errors == []


def staff_snapshot(room: ScriptedRoom, facilitator: Any) -> dict[str, Any]:
    snap = room.snapshot()
    now = dt.datetime.now(dt.UTC)
    snap["me"] = {
        "id": facilitator.pk,
        "nickname": facilitator.nickname,
        "role": "facilitator",
        "staff": True,
        "muted": False,
        "hand_raised": False,
    }
    snap["floor"] = {
        "turn_id": 3,
        "user_id": 901,
        "nickname": "먼저 온 사람",
        "started_at": now.isoformat(),
        "ends_at": (now + dt.timedelta(seconds=45)).isoformat(),
        "now": now.isoformat(),
    }
    snap["statements"].append(
        statement(7, 901, "먼저 온 사람", "발언대에서 드리는 말씀입니다.", seq=3, on_stage=True)
    )
    pending = statement(8, 905, "승인대기", "승인을 기다리는 의견", seq=None)  # type: ignore[arg-type]
    pending["status"] = "pending"
    snap["staff"] = {
        "pending": [pending],
        "reports": [
            {
                "id": 1,
                "statement_id": 1,
                "statement_text": "청년 해외 일자리 정보가 한곳에 모였으면 합니다.",
                "reporter": {"id": 906, "nickname": "신고자"},
                "reason": "도배·광고",
                "status": "open",
                "created_at": now.isoformat(),
            }
        ],
    }
    snap["moderation_log"] = [
        {
            "id": 1,
            "action": "hide",
            "target_kind": "statement",
            "target_id": 3,
            "reason": "욕설",
            "at": now.isoformat(),
        }
    ]
    return snap


@pytest.mark.parametrize("page_name", ["console", "projector"])
def test_console_and_projector_render_the_staff_view(
    live_server_url: str, new_page: Any, sign_in: Any, axe_check: Any, shot: Any, page_name: str
) -> None:
    from tests.factories import FacilitatorFactory

    facilitator = FacilitatorFactory(nickname="진행자")
    session = SessionFactory(
        state=Session.State.LIVE,
        title="국민외교 자유발언대",
        agenda__organisation=facilitator.organisation,
    )
    room = ScriptedRoom(facilitator, session)
    snap = staff_snapshot(room, facilitator)
    room.snapshot = lambda: snap  # type: ignore[method-assign]
    width = 360 if page_name == "console" else 1280
    page = new_page(width=width, height=800)
    sign_in(page, live_server_url, facilitator.username)
    page.route_web_socket(WS, room.handle)
    page.goto(f"{live_server_url}/sessions/{session.pk}/{page_name}/")
    expect(page.locator("[data-conn]")).to_have_text("연결됨")
    expect(page.locator("[data-stage-list]")).to_contain_text("발언대에서 드리는 말씀입니다.")
    expect(page.locator("[data-stage-timer]")).to_have_text(re.compile(r"0:[34]\d"))
    if page_name == "console":
        expect(page.locator("[data-pending-list]")).to_contain_text("승인을 기다리는 의견")
        expect(page.locator("[data-reports-list]")).to_contain_text("신고 사유: 도배·광고")
        expect(page.locator("[data-audit-list]")).to_contain_text("숨김 — 욕설")
        page.locator("[data-pending-list]").get_by_role("button", name="승인").click()
        wait_until(page, "window.madangRoom.client.pendingCount() === 0")
        assert any(f["type"] == "statement.approve" and f["statement_id"] == 8 for f in room.frames)
    else:
        expect(page.locator(".qr svg")).to_be_visible()
    assert page.madang_errors == []
    axe_check(page, page_name)
    shot(page, f"{page_name}-scripted-{width}")


def test_room_is_usable_by_keyboard(live_server_url: str, new_page: Any) -> None:
    session = SessionFactory(state=Session.State.LIVE)
    resident = ResidentFactory(nickname="키보드")
    room = ScriptedRoom(resident, session)
    page = resident_page(new_page, live_server_url, resident)
    page.route_web_socket(WS, room.handle)
    page.goto(f"{live_server_url}/sessions/{session.pk}/room/")
    expect(page.locator("[data-conn]")).to_have_text("연결됨")

    # Tab reaches the raise-hand button; Space presses it.
    hand = page.get_by_role("button", name="발언 신청")
    for _ in range(30):
        page.keyboard.press("Tab")
        if hand.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the raise-hand button is not reachable with Tab")
    page.keyboard.press("Space")
    wait_until(page, "window.madangRoom.client.pendingCount() === 0")
    assert any(f["type"] == "hand.raise" for f in room.frames)

    # Ctrl+Enter sends from the composer.
    page.get_by_label("의견 쓰기").focus()
    page.keyboard.type("키보드로 쓴 의견")
    page.keyboard.press("Control+Enter")
    wait_until(page, "window.madangRoom.client.pendingCount() === 0")
    posts = [f for f in room.frames if f["type"] == "statement.post"]
    assert [p["text"] for p in posts] == ["키보드로 쓴 의견"]
    expect(page.get_by_label("의견 쓰기")).to_have_value("")

    # The report dialog opens from the keyboard, Escape closes it, focus comes back.
    report = page.get_by_role("button", name="신고: 먼저 온 사람")
    report.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="발언 신고")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="발언 신고")).to_be_hidden()
    expect(report).to_be_focused()
    assert not any(f["type"] == "report.create" for f in room.frames)
