"""The foundation journey in real Chromium: a facilitator opens an agenda and a session,
and a resident who quick-joins on a phone sees it on the home page; axe on every page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from deliberation.agendas.models import Agenda, Session
from deliberation.people.models import Organisation, User
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.browser

SEOUL = ZoneInfo("Asia/Seoul")


def _expect(page: Any, text: str) -> None:
    page.get_by_text(text, exact=False).first.wait_for(state="visible")


def test_facilitator_creates_agenda_and_session_and_a_resident_sees_it(
    live_server_url: str, new_page: Any, axe_check: Any, shot: Any, sign_in: Any
) -> None:
    base = live_server_url
    region = OrganisationFactory(
        name="전북특별자치도", kind=Organisation.Kind.METROPOLITAN, slug="jeonbuk-b"
    )
    UserFactory(
        username="jeonbuk_host",
        role=User.Role.FACILITATOR,
        organisation=region,
        nickname="전북 진행자",
    )

    # The facilitator, on a desktop.
    host = new_page(width=1280, height=900)
    host.goto(f"{base}/signin/")
    axe_check(host, "sign-in")
    shot(host, "foundation-signin-1280")
    sign_in(host, base, "jeonbuk_host")
    _expect(host, "전북 진행자")

    host.goto(f"{base}/my/organisation/")
    axe_check(host, "dashboard")
    host.get_by_role("link", name="새 의제 만들기").first.click()
    host.wait_for_url(re.compile(r"/agendas/new/$"))
    axe_check(host, "agenda form")
    shot(host, "foundation-agenda-form-1280")
    host.select_option("#id_organisation", label="전북특별자치도")
    host.fill("#id_title", "지역 청년 해외 일자리, 브라우저에서 연 의제")
    host.fill(
        "#id_description",
        "<p>전북 청년의 <strong>해외 취업</strong>을 돕는 방안</p>"
        '<script>document.title="hacked"</script> https://www.mofa.go.kr',
    )
    host.select_option("#id_topic", value="youth_jobs")
    host.select_option("#id_disclosure", value="public")
    host.select_option("#id_status", value="open")
    host.get_by_role("button", name="의제 만들기").click()
    host.wait_for_url(re.compile(r"/agendas/\d+/$"))
    _expect(host, "의제를 만들었습니다.")
    assert host.locator(".rich-text strong").inner_text() == "해외 취업"
    assert host.locator(".rich-text a[rel='nofollow noopener']").count() == 1
    assert "hacked" not in host.title()
    axe_check(host, "agenda page")
    shot(host, "foundation-agenda-1280")

    agenda_url = host.url
    host.goto(agenda_url + "invitees/")
    axe_check(host, "invitees")
    host.goto(agenda_url + "edit/")
    axe_check(host, "agenda edit form")
    host.goto(agenda_url)
    host.get_by_role("link", name="회의 만들기").first.click()
    host.wait_for_url(re.compile(r"/sessions/new/$"))
    axe_check(host, "session form")
    tomorrow = (dt.datetime.now(SEOUL) + dt.timedelta(days=1)).replace(
        hour=19, minute=30, second=0, microsecond=0
    )
    host.fill("#id_title", "청년 해외 일자리 자유발언대")
    host.select_option("#id_kind", value="open_mic")
    host.fill("#id_starts_at", tomorrow.strftime("%Y-%m-%dT%H:%M"))
    host.fill("#id_venue", "전북 국민외교센터")
    host.fill("#id_turn_seconds", "90")
    host.get_by_role("button", name="회의 만들기").click()
    host.wait_for_url(re.compile(r"/sessions/\d+/$"))
    _expect(host, "회의를 만들었습니다.")
    session = Session.objects.get(title="청년 해외 일자리 자유발언대")
    assert session.starts_at == tomorrow
    assert session.agenda == Agenda.objects.get()
    assert host.locator(".qr svg").count() == 1
    _expect(host, f"/j/{session.join_code}/")
    axe_check(host, "session page (facilitator)")
    shot(host, "foundation-session-1280")
    host.goto(f"{base}/sessions/{session.pk}/edit/")
    axe_check(host, "session edit form")
    assert host.input_value("#id_starts_at") == tomorrow.strftime("%Y-%m-%dT%H:%M")
    host.goto(f"{base}/sessions/{session.pk}/")

    # The resident, on a phone, joins with a nickname and a region.
    resident = new_page(width=390)
    resident.goto(f"{base}/join/")
    axe_check(resident, "quick-join")
    shot(resident, "foundation-join-390")
    resident.fill("#id_nickname", "전주청년")
    resident.select_option("#id_region", label="전북특별자치도 전체")
    resident.check("#id_consent-required")
    resident.get_by_role("button", name="참여하기").click()
    resident.wait_for_url(f"{base}/")
    _expect(resident, "전주청년 님, 환영합니다.")
    card = resident.locator("#upcoming-title + ul").get_by_role(
        "link", name="청년 해외 일자리 자유발언대"
    )
    card.wait_for(state="visible")
    axe_check(resident, "home (resident)")
    shot(resident, "foundation-home-390")
    resident.get_by_role("link", name="계정 연결").click()
    resident.wait_for_url(re.compile(r"/account/attach/$"))
    axe_check(resident, "attach account")
    shot(resident, "foundation-attach-390")
    resident.goto(f"{base}/")

    # The facilitator opens the session; the resident's home page now shows it live.
    host.get_by_role("button", name="회의 시작").click()
    _expect(host, "회의 상태를 '진행 중'(으)로 바꿨습니다.")
    assert host.get_by_role("button", name="일시 정지").is_visible()
    assert host.get_by_role("button", name="회의 시작").count() == 0
    resident.reload()
    live = resident.locator("#live-title + ul").get_by_role(
        "link", name="청년 해외 일자리 자유발언대"
    )
    live.click()
    resident.wait_for_url(re.compile(rf"/sessions/{session.pk}/$"))
    enter = resident.get_by_role("link", name="회의실 들어가기")
    assert enter.get_attribute("href") == f"/sessions/{session.pk}/room/"
    axe_check(resident, "session page (live, resident)")
    shot(resident, "foundation-session-live-390")
    host.goto(f"{base}/my/organisation/")
    host.get_by_role("link", name="청년 해외 일자리 자유발언대").wait_for(state="visible")
    shot(host, "foundation-dashboard-1280")
    assert host.madang_errors == [] and resident.madang_errors == []


def test_pages_read_well_at_phone_and_desktop_width(
    live_server_url: str, new_page: Any, axe_check: Any, shot: Any
) -> None:
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    agenda = Agenda.objects.filter(title__contains="청년 해외 일자리").get()
    session = agenda.sessions.filter(state=Session.State.SCHEDULED).first()
    assert session is not None
    for width in (360, 390, 1280):
        page = new_page(width=width)
        for name, path in [
            ("home", "/"),
            ("agenda", f"/agendas/{agenda.pk}/"),
            ("session", f"/sessions/{session.pk}/"),
        ]:
            page.goto(live_server_url + path)
            axe_check(page, f"{name} at {width}")
            # Nothing wider than the screen: no sideways scrolling on a phone.
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways at {width}px"
            if width != 360:
                shot(page, f"foundation-demo-{name}-{width}")
        page.goto(live_server_url + "/?organisation=&topic=youth_jobs")
        page.locator("main h3", has_text="청년 해외 일자리").first.wait_for(state="visible")
        assert page.locator("main h3", has_text="지방대학 국제교류").count() == 0
        assert page.madang_errors == []
    english = new_page(width=390, locale="en-US")
    english.goto(live_server_url + "/")
    # The browser asked for English; the switch names each language in its own words
    # and offers Korean in one click.
    switch = english.locator(".lang-switch")
    assert switch.locator("[aria-current]").inner_text() == "English"
    assert switch.get_by_role("button", name="한국어").count() == 1
    assert english.locator("html").get_attribute("lang") == "en"
    axe_check(english, "home in English")
    shot(english, "foundation-home-en-390")
