"""The open mic end to end in real chromium: facilitator console, resident room, projector.

A real Daphne serves the pages and the room socket; three pages with their own cookies
watch one another act. Waits are Playwright's expectations (conditions), never sleeps.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from deliberation.agendas.models import Session
from deliberation.live.models import Statement
from deliberation.people.identity import resident_token
from tests.browser.conftest import wait_until
from tests.factories import FacilitatorFactory, ResidentFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The room's round trips go through a real server on a shared machine: conditions get
# time to become true (they still pass the moment they are).
expect.set_options(timeout=20_000)

TURN_SECONDS = 20
NOBODY = "지금 발언 중인 사람이 없습니다."


def open_resident(new_page: Any, base: str, resident: Any, path: str, width: int = 360) -> Any:
    page = new_page(width=width)
    page.context.add_cookies(
        [{"name": settings.RESIDENT_COOKIE_NAME, "value": resident_token(resident), "url": base}]
    )
    page.goto(base + path)
    return page


def connected(page: Any) -> None:
    expect(page.locator("[data-conn]")).to_have_text("연결됨")


@pytest.fixture
def room_setup(live_server_url: str) -> dict[str, Any]:
    facilitator = FacilitatorFactory(nickname="전북 진행자")
    session = SessionFactory(
        title="전북 청년 해외 일자리 자유발언대",
        state=Session.State.LIVE,
        turn_seconds=TURN_SECONDS,
        agenda__organisation=facilitator.organisation,
    )
    resident = ResidentFactory(nickname="전주시민")
    return {"facilitator": facilitator, "session": session, "resident": resident}


def test_open_mic_journey_on_three_pages(
    live_server_url: str,
    room_setup: dict[str, Any],
    new_page: Any,
    sign_in: Any,
    axe_check: Any,
    shot: Any,
) -> None:
    session = room_setup["session"]
    base = live_server_url

    console = new_page(width=390)
    sign_in(console, base, room_setup["facilitator"].username)
    console.goto(f"{base}/sessions/{session.pk}/console/")
    projector = new_page(width=1280, height=800)
    sign_in(projector, base, room_setup["facilitator"].username)
    projector.goto(f"{base}/sessions/{session.pk}/projector/")
    room = open_resident(new_page, base, room_setup["resident"], f"/sessions/{session.pk}/room/")
    pages = {"console": console, "room": room, "projector": projector}
    for page in pages.values():
        connected(page)

    # The resident raises a hand; everyone sees the queue.
    room.get_by_role("button", name="발언 신청").click()
    for page in pages.values():
        expect(page.locator("[data-queue-list]")).to_contain_text("전주시민")
    expect(room.locator("[data-hand-status]")).to_have_text("발언 대기 1번째입니다.")

    # The facilitator gives the floor to the next person.
    console.get_by_role("button", name="다음 사람에게 발언권").click()
    for page in pages.values():
        expect(page.locator("[data-stage-speaker]")).to_contain_text("전주시민")
        expect(page.locator("[data-stage-timer]")).to_be_visible()
        expect(page.locator("[data-queue-list] li")).to_have_count(0)
    # The speaker is told what to do: speak in the hall, or type.
    expect(room.locator("[data-hand-status]")).to_contain_text("지금 발언하실 차례입니다.")
    expect(room.locator("[data-hand-status]")).to_contain_text("의견 쓰기 칸에 써 주세요")

    # The speaker's statement appears on the stage of all three pages.
    stage_text = "청년들이 해외 취업 정보를 지역에서 바로 얻을 수 있으면 좋겠습니다."
    room.get_by_label("의견 쓰기").fill(stage_text)
    room.get_by_role("button", name="보내기").click()
    for page in pages.values():
        expect(page.locator("[data-stage-list]")).to_contain_text(stage_text)
    expect(room.locator("[data-announcer]")).not_to_contain_text(stage_text)  # own words
    expect(console.locator("[data-announcer]")).to_contain_text(stage_text)

    for name in ("room", "console"):
        width = pages[name].evaluate("document.documentElement.scrollWidth")
        assert width <= pages[name].viewport_size["width"], f"{name} scrolls sideways"
    shot(room, "live-room-floor-360")
    shot(console, "live-console-floor-390")
    shot(projector, "live-projector-floor-1280")
    for name, page in pages.items():
        axe_check(page, f"{name} with the floor taken")

    # The server's clock ends the turn, with nobody pressing anything.
    for page in pages.values():
        expect(page.locator("[data-stage-speaker]")).to_have_text(
            NOBODY, timeout=(TURN_SECONDS + 15) * 1000
        )
        expect(page.locator("[data-stage-timer]")).to_be_hidden()

    # A side remark, then the facilitator hides it: it disappears everywhere.
    side_text = "이 내용은 진행자가 가릴 발언입니다 https://example.org/광고"
    room.get_by_label("의견 쓰기").fill(side_text)
    room.get_by_role("button", name="보내기").click()
    for page in pages.values():
        expect(page.locator("[data-side-list]")).to_contain_text("진행자가 가릴 발언")
    statement_id = Statement.objects.get(session=session, text__startswith="이 내용은").pk
    console.locator(f"#statement-{statement_id}").get_by_role("button", name="가리기").click()
    for name in ("room", "projector"):
        expect(pages[name].locator(f"#statement-{statement_id}")).to_have_count(0)
        expect(pages[name].locator("[data-side-list]")).not_to_contain_text("진행자가 가릴 발언")
    hidden = console.locator(f"#statement-{statement_id}")
    expect(hidden).to_contain_text("진행자가 가린 발언")
    expect(hidden.get_by_text("진행자가 가릴 발언")).to_be_hidden()
    expect(console.locator("[data-audit-list]")).to_contain_text("숨김")
    # The finished turn left the stage; its words stay in the discussion.
    expect(room.locator("[data-stage-list] .statement")).to_have_count(0)
    expect(room.locator("[data-side-list]")).to_contain_text(stage_text)

    shot(room, "live-room-after-hide-360")
    shot(console, "live-console-after-hide-390")
    for name, page in pages.items():
        assert page.madang_errors == [], (name, page.madang_errors)


def test_statement_lost_with_its_ack_is_resent_once_and_stored_once(
    live_server_url: str, room_setup: dict[str, Any], new_page: Any
) -> None:
    """The connection dies after the server stored a statement but before its ack arrived."""
    session = room_setup["session"]
    sent_posts: list[dict[str, Any]] = []
    state = {"connections": 0, "dropped": False}

    def route(ws: Any) -> None:
        state["connections"] += 1
        server = ws.connect_to_server()
        pending_id: dict[str, str] = {}

        def page_to_server(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") == "statement.post":
                sent_posts.append(frame)
                if not state["dropped"]:
                    pending_id["id"] = frame["id"]
            server.send(message)

        def server_to_page(message: str | bytes) -> None:
            frame = json.loads(message)
            if (
                frame.get("type") == "ack"
                and frame.get("id") == pending_id.get("id")
                and not state["dropped"]
            ):
                # Stored on the server; the page never hears of it and the line drops.
                state["dropped"] = True
                ws.close(code=1012, reason="restart")
                server.close()
                return
            ws.send(message)

        ws.on_message(page_to_server)
        server.on_message(server_to_page)

    page = new_page(width=390)
    page.context.add_cookies(
        [
            {
                "name": settings.RESIDENT_COOKIE_NAME,
                "value": resident_token(room_setup["resident"]),
                "url": live_server_url,
            }
        ]
    )
    page.route_web_socket("**/ws/sessions/*/**", route)
    page.goto(f"{live_server_url}/sessions/{session.pk}/room/")
    connected(page)

    text = "한 번만 저장되어야 하는 발언입니다"
    page.get_by_label("의견 쓰기").fill(text)
    page.get_by_role("button", name="보내기").click()

    expect(page.locator("[data-side-list]")).to_contain_text(text, timeout=30_000)
    connected(page)
    wait_until(page, "window.madangRoom.client.pendingCount() === 0", timeout=30_000)
    assert state["dropped"] and state["connections"] >= 2
    assert len(sent_posts) == 2, "sent once, resent exactly once after the reconnect"
    assert sent_posts[0]["id"] == sent_posts[1]["id"]
    expect(page.locator("[data-side-list] .statement__text", has_text=text)).to_have_count(1)
    assert Statement.objects.filter(session=session, text=text).count() == 1
    assert page.locator("[data-composer-status]").inner_text() == ""
    assert page.madang_errors == []


def test_banned_resident_is_shown_out_and_cannot_post(
    live_server_url: str, room_setup: dict[str, Any], new_page: Any, sign_in: Any, shot: Any
) -> None:
    session = room_setup["session"]
    base = live_server_url
    console = new_page(width=1280, height=900)
    sign_in(console, base, room_setup["facilitator"].username)
    console.goto(f"{base}/sessions/{session.pk}/console/")
    room = open_resident(new_page, base, room_setup["resident"], f"/sessions/{session.pk}/room/")
    connected(console)
    connected(room)

    room.get_by_label("의견 쓰기").fill("도배 광고 도배 광고")
    room.get_by_role("button", name="보내기").click()
    statement_id = None
    expect(console.locator("[data-side-list]")).to_contain_text("도배 광고")
    statement_id = Statement.objects.get(session=session, text__startswith="도배").pk

    # The resident reports nothing here; the facilitator bans, confirming the dialog.
    console.on("dialog", lambda dialog: dialog.accept())
    console.locator("[data-mod-reason]").fill("반복 광고")
    console.locator(f"#statement-{statement_id}").get_by_role("button", name="차단").click()

    expect(room.locator("[data-conn]")).to_have_text("연결 끊김")
    expect(room.locator("[data-room-notice]")).to_be_visible()
    expect(room.get_by_label("의견 쓰기")).to_be_disabled()
    expect(room.get_by_role("button", name="발언 신청")).to_be_disabled()
    expect(console.locator("[data-audit-list]")).to_contain_text("반복 광고")
    shot(room, "live-room-banned-360")

    # The ban is undone from the console's list of sanctions; the resident can come back.
    console.locator("[data-sanctions]").get_by_role("button", name="전주시민: 차단 해제").click()
    expect(console.locator("[data-sanctions] li")).to_have_count(0)
    expect(console.locator("[data-audit-list] li").first).to_contain_text("차단 해제")
    room.reload()
    connected(room)
    expect(room.get_by_label("의견 쓰기")).to_be_enabled()
    assert room.madang_errors == []


def test_reports_and_premoderation_reach_the_console_live(
    live_server_url: str,
    room_setup: dict[str, Any],
    new_page: Any,
    sign_in: Any,
    axe_check: Any,
    shot: Any,
) -> None:
    session = room_setup["session"]
    base = live_server_url
    console = new_page(width=1280, height=900)
    sign_in(console, base, room_setup["facilitator"].username)
    console.goto(f"{base}/sessions/{session.pk}/console/")
    room = open_resident(new_page, base, room_setup["resident"], f"/sessions/{session.pk}/room/")
    other = open_resident(
        new_page, base, ResidentFactory(nickname="군산시민"), f"/sessions/{session.pk}/room/"
    )
    for page in (console, room, other):
        connected(page)

    # A resident reports another's statement with a reason; the console sees it at once.
    other.get_by_label("의견 쓰기").fill("광고 링크 https://spam.example/ 확인하세요")
    other.get_by_role("button", name="보내기").click()
    expect(room.locator("[data-side-list]")).to_contain_text("광고 링크")
    # Reactions toggle and their counts reach the others (coalesced by the server).
    remark = room.locator("[data-side-list] li", has_text="광고 링크")
    remark.get_by_role("button", name="공감 0").click()
    expect(remark.get_by_role("button", name="공감 1")).to_have_attribute("aria-pressed", "true")
    expect(
        other.locator("[data-side-list] li", has_text="광고 링크").get_by_role(
            "button", name="공감 1"
        )
    ).to_have_attribute("aria-pressed", "false")
    room.locator("[data-side-list] li", has_text="광고 링크").get_by_role(
        "button", name="신고: 군산시민"
    ).click()
    dialog = room.get_by_role("dialog", name="발언 신고")
    expect(dialog).to_be_visible()
    dialog.get_by_label("신고 사유").select_option("spam")
    dialog.get_by_role("button", name="신고하기").click()
    expect(room.locator("[data-toast]")).to_have_text("신고가 접수되었습니다.")
    report = console.locator("[data-reports-list] li")
    expect(report).to_contain_text("도배·광고")
    expect(report).to_contain_text("광고 링크")

    # Hiding from the report removes the statement for the residents and closes the report.
    report.get_by_role("button", name="가리기").click()
    expect(room.locator("[data-side-list]")).not_to_contain_text("광고 링크")
    expect(other.locator("[data-side-list]")).not_to_contain_text("광고 링크")
    expect(console.locator("[data-reports-list] li")).to_have_count(0)

    # Slow mode: a second statement too soon is refused with the server's reason, kept in the box.
    console.get_by_label("슬로 모드(초, 0이면 끔)").fill("60")
    console.get_by_role("button", name="적용").click()
    expect(room.locator("[data-room-notice]")).to_contain_text("60초에 한 번")
    room.get_by_label("의견 쓰기").fill("천천히 쓰는 첫 의견")
    room.get_by_role("button", name="보내기").click()
    expect(other.locator("[data-side-list]")).to_contain_text("천천히 쓰는 첫 의견")
    room.get_by_label("의견 쓰기").fill("너무 빨리 쓰는 둘째 의견")
    room.get_by_role("button", name="보내기").click()
    expect(room.locator("[data-composer-status]")).not_to_be_empty()
    expect(room.get_by_label("의견 쓰기")).to_have_value("너무 빨리 쓰는 둘째 의견")
    expect(other.locator("[data-side-list]")).not_to_contain_text("너무 빨리 쓰는 둘째 의견")
    room.get_by_label("의견 쓰기").fill("")
    console.get_by_label("슬로 모드(초, 0이면 끔)").fill("0")
    console.get_by_role("button", name="적용").click()
    expect(room.locator("[data-room-notice]")).not_to_contain_text("초에 한 번")

    # Pre-moderation: a statement waits for approval, then appears for everyone.
    console.get_by_label("사전 승인(진행자 승인 후 공개)").check()
    expect(room.locator("[data-room-notice]")).to_contain_text("사전 승인")
    room.get_by_label("의견 쓰기").fill("승인을 기다리는 전주시민의 의견")
    room.get_by_role("button", name="보내기").click()
    expect(room.locator("[data-composer-status]")).to_have_text("진행자 승인 후 공개됩니다.")
    expect(console.locator("[data-pending-list]")).to_contain_text(
        "승인을 기다리는 전주시민의 의견"
    )
    expect(other.locator("[data-side-list]")).not_to_contain_text("승인을 기다리는")
    shot(console, "live-console-pending-1280")
    axe_check(console, "console with a pending statement")
    console.locator("[data-pending-list]").get_by_role("button", name="승인").click()
    expect(other.locator("[data-side-list]")).to_contain_text("승인을 기다리는 전주시민의 의견")
    expect(console.locator("[data-pending-list] li")).to_have_count(0)
    axe_check(room, "room with a report dialog used")
    for page in (console, room, other):
        assert page.madang_errors == []


def test_qr_short_link_joins_a_newcomer_into_the_room(
    live_server_url: str, room_setup: dict[str, Any], new_page: Any, axe_check: Any
) -> None:
    from tests.factories import OrganisationFactory

    region = OrganisationFactory(name="전주시")
    session = room_setup["session"]
    page = new_page(width=360)
    page.goto(f"{live_server_url}/j/{session.join_code}/")
    page.get_by_label("닉네임").fill("큐알참여자")
    page.get_by_label("지역").select_option(label=f"{region.name} 전체")  # a 시·도 as a whole
    page.check("#id_consent-required")
    page.get_by_role("button", name="참여하기").click()
    expect(page).to_have_url(f"{live_server_url}/sessions/{session.pk}/room/")
    connected(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(session.title)
    page.get_by_label("의견 쓰기").fill("QR로 들어와서 처음 남기는 의견")
    page.get_by_role("button", name="보내기").click()
    expect(page.locator("[data-side-list]")).to_contain_text("큐알참여자")
    axe_check(page, "room after quick join")
    assert page.madang_errors == []
