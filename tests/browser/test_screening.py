"""The console's flag panel in a real browser: a resident's insult is flagged, the
facilitator sees why and hides it with one click, and the room loses it live."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from playwright.sync_api import expect

from deliberation.agendas.models import Session
from deliberation.people.identity import resident_token
from deliberation.screening.models import Flag
from tests.factories import FacilitatorFactory, OrganisationFactory, ResidentFactory, SessionFactory

INSULT = "ㅂㅅ들이 모여서 회의하니까 결론이 이 모양이지 ㅅㅂ"
HEATED = "자매도시 방문단 선정 기준이 불투명합니다. 누가 왜 뽑혔는지 공개해 주세요!"


def test_console_flag_panel_hides_a_flagged_statement(
    live_server_url: str, new_page: Any, axe_check: Any, shot: Any, sign_in: Any
) -> None:
    base = live_server_url
    province = OrganisationFactory(name="전북특별자치도", slug="jeonbuk-screening")
    session = SessionFactory(
        agenda__organisation=province,
        agenda__title="청년 해외 일자리",
        title="해외 인턴십 간담회",
        state=Session.State.LIVE,
    )
    FacilitatorFactory(organisation=province, username="jb_screening")
    resident = ResidentFactory(region=province, nickname="전주주민")

    console = new_page(width=1280, height=900)
    sign_in(console, base, "jb_screening")
    console.goto(f"{base}/sessions/{session.pk}/console/")
    panel = console.locator("[data-screening]")
    expect(panel).to_contain_text("감지된 표현이 없습니다.", timeout=20_000)

    room = new_page(width=390)
    room.context.add_cookies(
        [{"name": settings.RESIDENT_COOKIE_NAME, "value": resident_token(resident), "url": base}]
    )
    room.goto(f"{base}/sessions/{session.pk}/room/")
    for text in (HEATED, INSULT):
        room.get_by_label("의견 쓰기").fill(text)
        room.get_by_role("button", name="보내기").click()
        expect(room.locator("[data-side-list]")).to_contain_text(text, timeout=20_000)

    # The worker scores the posts; the flag, its class and its reasons reach the panel.
    flag = panel.locator("li.flag")
    expect(flag).to_have_count(1, timeout=90_000)
    expect(flag).to_contain_text(INSULT)
    expect(flag).to_contain_text("감지 근거")
    expect(flag.locator("mark", has_text="병신")).to_be_visible()
    expect(flag).to_contain_text("확신도")
    expect(panel).not_to_contain_text(HEATED)
    shot(console, "screening-1-console-flag-panel-1280")
    axe_check(console, "console with the flag panel")

    flag.get_by_role("button", name="가리기").click()
    expect(panel).to_contain_text("가렸습니다.")
    expect(panel.locator("li.flag")).to_have_count(0)
    expect(room.locator("[data-side-list]")).not_to_contain_text(INSULT, timeout=20_000)
    expect(room.locator("[data-side-list]")).to_contain_text(HEATED)
    assert Flag.objects.get(session=session).status == Flag.Status.HIDDEN

    # Holding flagged statements: the resident is told the insult waits for a facilitator,
    # and it appears in the console's pre-moderation queue instead of the room.
    hold = panel.get_by_label("감지된 발언은 승인 후 공개")
    hold.check()
    expect(hold).to_be_checked()
    room.get_by_label("의견 쓰기").fill("씨@발 청년 일자리 해외로 떠넘기는 게 정책이냐")
    room.get_by_role("button", name="보내기").click()
    expect(room.locator("[data-composer-status]")).to_contain_text(
        "진행자 승인 후 공개됩니다.", timeout=20_000
    )
    expect(console.locator("[data-pending-list]")).to_contain_text("청년 일자리", timeout=20_000)
    expect(room.locator("[data-side-list]")).not_to_contain_text("청년 일자리")

    phone = new_page(width=390)
    sign_in(phone, base, "jb_screening")
    phone.goto(f"{base}/sessions/{session.pk}/console/")
    expect(phone.locator("[data-side-list]")).to_contain_text(HEATED, timeout=20_000)
    expect(phone.locator("[data-screening]")).to_contain_text("감지된 표현이 없습니다.")
    shot(phone, "screening-2-console-panel-390")
    assert console.madang_errors == [] and room.madang_errors == []
