"""A real browser: staff speak with a badge residents cannot produce, on the resident's
room, the console and the projector; a venue-code session lets the hall in with the code."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from deliberation.agendas.models import JoinMode, Session
from deliberation.live import services as live_services
from deliberation.people.models import Organisation
from tests.factories import FacilitatorFactory, OrganisationFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_staff_badge_on_room_console_and_projector(
    live_server_url: str, new_page: Any, sign_in: Any, axe_check: Any, shot: Any
) -> None:
    base = live_server_url
    jeonbuk = OrganisationFactory(name="전북특별자치도", kind=Organisation.Kind.METROPOLITAN)
    OrganisationFactory(name="군산시", kind=Organisation.Kind.LOCAL, parent=jeonbuk)
    facilitator = FacilitatorFactory(nickname="전북 진행자", organisation=jeonbuk)
    session = SessionFactory(
        title="전북 청년 해외 일자리 자유발언대",
        state=Session.State.LIVE,
        agenda__organisation=jeonbuk,
        join_mode=JoinMode.VENUE_CODE,
    )
    live_services.statement_post(
        actor=facilitator,
        session_id=session.pk,
        client_msg_id="welcome",
        text="진행자입니다. 오늘 질문을 편하게 남겨 주세요.",
    )

    projector = new_page(width=1280, height=900)
    sign_in(projector, base, facilitator.username)
    projector.goto(f"{base}/sessions/{session.pk}/projector/")
    expect(projector.locator("[data-conn]")).to_have_text("연결됨")
    code = projector.locator("[data-venue-code]").inner_text().strip()
    assert code.isdigit() and len(code) == 6

    console = new_page(width=390, height=900)
    sign_in(console, base, facilitator.username)
    console.goto(f"{base}/sessions/{session.pk}/console/")
    expect(console.locator("[data-conn]")).to_have_text("연결됨")

    # A resident in the hall opens the room, is sent to quick-join, tries the staff name.
    phone = new_page(width=390, height=844)
    phone.goto(f"{base}/sessions/{session.pk}/room/")
    phone.get_by_label("닉네임").fill("전북 진행자")
    phone.get_by_label("지역").select_option(label="전북특별자치도 군산시")
    phone.get_by_label("회의장 코드").fill(code)
    phone.check("#id_consent-required")
    phone.get_by_role("button", name="참여하기").click()
    expect(phone.locator("main")).to_contain_text("닉네임은 쓸 수 없습니다")
    shot(phone, "identity-impostor-refused-390")
    axe_check(phone, "quick-join with a refused staff name")

    phone.get_by_label("닉네임").fill("군산청년")
    phone.get_by_label("회의장 코드").fill(code)
    phone.check("#id_consent-required")
    phone.get_by_role("button", name="참여하기").click()
    expect(phone.locator("[data-conn]")).to_have_text("연결됨")

    # The facilitator's words carry the badge; the resident's carry their region.
    staff_line = phone.locator(".statement", has_text="진행자입니다")
    expect(staff_line.locator("[data-staff-badge]")).to_have_text("진행자")
    text = "군산에서 왔습니다. 청년 해외 인턴 정보를 한곳에서 보고 싶어요."
    phone.get_by_label("의견 쓰기").fill(text)
    phone.get_by_role("button", name="보내기").click()
    mine = phone.locator(".statement", has_text="군산에서 왔습니다")
    expect(mine.locator(".person__region")).to_have_text("군산시")
    expect(mine.locator("[data-staff-badge]")).to_have_count(0)

    for page in (console, projector):
        said = page.locator(".statement", has_text="군산에서 왔습니다")
        expect(said).to_be_visible()
        expect(said.locator("[data-staff-badge]")).to_have_count(0)
        expect(
            page.locator(".statement", has_text="진행자입니다").locator("[data-staff-badge]")
        ).to_have_text("진행자")
    for page in (phone, console, projector):
        assert page.madang_errors == []
    axe_check(phone, "resident room with badges")
    axe_check(console, "console with badges")
    axe_check(projector, "projector with badges")
    shot(phone, "identity-room-badge-390")
    shot(console, "identity-console-badge-390")
    shot(projector, "identity-projector-badge-1280")

    # The facilitator bans the resident for the whole organisation from the console; the
    # same phone, nothing cleared, joining again under a new nickname is refused.
    console.on("dialog", lambda dialog: dialog.accept())
    console.locator("[data-ban-organisation]").check()
    said = console.locator(".statement", has_text="군산에서 왔습니다")
    said.get_by_role("button", name="차단").click()
    expect(phone.locator("main")).to_contain_text("이 회의실에서 차단되었습니다")
    phone.goto(f"{base}/join/?session={session.pk}&next=/sessions/{session.pk}/room/")
    phone.get_by_label("닉네임").fill("새얼굴")
    phone.get_by_label("지역").select_option(label="전북특별자치도 군산시")
    phone.get_by_label("회의장 코드").fill(projector.locator("[data-venue-code]").inner_text())
    phone.check("#id_consent-required")
    phone.get_by_role("button", name="참여하기").click()
    expect(phone.locator("main")).to_contain_text("이 기기는 이 회의에서 차단되어")
    shot(phone, "identity-banned-device-refused-390")
