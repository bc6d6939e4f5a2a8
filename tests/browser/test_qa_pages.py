"""Regressions a resident or facilitator noticed on the finished pages, in real chromium.

Each test pins one fix: English pages that showed Korean, buttons spilling out of the
console's narrow columns, a scrollable log the keyboard could not reach, bare error
pages, and a console error on every page load.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from deliberation.agendas.models import Session
from deliberation.people.identity import resident_token
from tests.factories import FacilitatorFactory, ResidentFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

expect.set_options(timeout=20_000)

# Visible buttons whose box leaves the panel they sit in.
SPILLING_BUTTONS = """() => [...document.querySelectorAll('.panel .btn')]
  .filter((b) => b.offsetParent !== null)
  .filter((b) => {
    const r = b.getBoundingClientRect();
    const p = b.closest('.panel').getBoundingClientRect();
    return r.right > p.right + 1 || r.left < p.left - 1;
  })
  .map((b) => b.textContent.trim())"""


def test_console_in_english_keeps_buttons_inside_panels_and_log_reachable(
    live_server_url: str, new_page: Any, sign_in: Any, axe_check: Any, shot: Any
) -> None:
    host = FacilitatorFactory()
    session = SessionFactory(state=Session.State.LIVE, agenda__organisation=host.organisation)
    console = new_page(width=1280, height=900, locale="en-US")
    sign_in(console, live_server_url, host.username)
    console.goto(f"{live_server_url}/sessions/{session.pk}/console/")
    expect(console.locator("[data-conn]")).to_have_text("Connected")
    # The room settings write the audit log, which scrolls once it is long.
    console.locator("#slow-mode").fill("10")
    for _ in range(8):
        console.locator("[data-setting=premoderation]").click()
    expect(console.locator("[data-audit-list] > li")).to_have_count(8)
    # Clock times read as people write them: "1:05 PM", not "01:05 PM".
    expect(console.locator("[data-audit-list] time").first).not_to_have_text(re.compile(r"^0\d"))
    shot(console, "qa-console-en-desktop")

    assert console.evaluate(SPILLING_BUTTONS) == []
    audit = console.locator("[data-audit-list]")
    audit.focus()
    expect(audit).to_be_focused()
    axe_check(console, "console in English with a long audit log")
    assert console.madang_errors == []


def test_deliberation_steps_follow_the_page_language(
    live_server_url: str, new_page: Any, sign_in: Any
) -> None:
    host = FacilitatorFactory()
    session = SessionFactory(
        kind=Session.Kind.DELIBERATION,
        state=Session.State.LIVE,
        agenda__organisation=host.organisation,
    )
    console = new_page(width=1280, height=900, locale="en-US")
    sign_in(console, live_server_url, host.username)
    console.goto(f"{live_server_url}/sessions/{session.pk}/projector/")
    steps = console.locator("[data-delib-steps] .delib-step__label")
    expect(steps.first).to_have_text("Briefing")
    assert all(not any("가" <= ch <= "힣" for ch in text) for text in steps.all_inner_texts())


def test_forbidden_and_missing_pages_are_the_sites_own(
    live_server_url: str, new_page: Any, sign_in: Any, axe_check: Any
) -> None:
    owner = FacilitatorFactory()
    other = FacilitatorFactory()
    session = SessionFactory(state=Session.State.LIVE, agenda__organisation=owner.organisation)
    page = new_page(width=360, height=740)
    sign_in(page, live_server_url, other.username)

    response = page.goto(f"{live_server_url}/sessions/{session.pk}/console/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("이 페이지를 볼 권한이 없습니다.")
    home_link = page.locator("main").get_by_role("link", name="회의 찾기")
    expect(home_link).to_have_attribute("href", "/")
    axe_check(page, "403 page")

    response = page.goto(f"{live_server_url}/sessions/999999/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("페이지를 찾을 수 없습니다.")
    axe_check(page, "404 page")


def test_home_loads_without_console_errors(live_server_url: str, new_page: Any) -> None:
    page = new_page(width=360, height=740)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(live_server_url + "/")
    page.wait_for_load_state("networkidle")
    assert failed == []
    assert page.madang_errors == []


def test_refused_forms_take_the_keyboard_to_the_problem(
    live_server_url: str, new_page: Any, axe_check: Any
) -> None:
    page = new_page(width=360, height=740)
    page.goto(f"{live_server_url}/join/")
    page.locator("main form button[type=submit]").click()
    nickname = page.locator("#id_nickname")
    expect(nickname).to_be_focused()
    # The field's description points at one error list, not two elements sharing an id.
    assert page.locator("#id_nickname_error").count() == 1
    expect(nickname).to_have_accessible_description(re.compile("필수 항목입니다"))
    axe_check(page, "quick-join with errors")

    page.goto(f"{live_server_url}/signin/")
    page.fill("input[name=username]", "nobody")
    page.fill("input[name=password]", "wrong-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[data-form-error]")).to_be_focused()


def test_organisation_dashboard_keeps_words_whole_on_a_phone(
    live_server_url: str, new_page: Any, sign_in: Any
) -> None:
    host = FacilitatorFactory()
    SessionFactory(agenda__organisation=host.organisation)
    page = new_page(width=360, height=740, locale="en-US")
    sign_in(page, live_server_url, host.username)
    page.goto(f"{live_server_url}/my/organisation/")
    status = page.locator("table.plain td", has_text="Scheduled").first
    expect(status).to_be_visible()
    lines = status.evaluate(
        """(td) => { const r = document.createRange(); r.selectNodeContents(td);
                     return r.getClientRects().length; }"""
    )
    assert lines == 1, "the state 'Scheduled' is broken across lines"


def test_console_names_muted_people_after_a_reload(
    live_server_url: str, new_page: Any, sign_in: Any
) -> None:
    host = FacilitatorFactory()
    session = SessionFactory(state=Session.State.LIVE, agenda__organisation=host.organisation)
    resident = ResidentFactory(nickname="군산청년")
    base = live_server_url
    room = new_page(width=360, height=740)
    room.context.add_cookies(
        [{"name": settings.RESIDENT_COOKIE_NAME, "value": resident_token(resident), "url": base}]
    )
    room.goto(f"{base}/sessions/{session.pk}/room/")
    expect(room.locator("[data-conn]")).to_have_text("연결됨")
    room.locator("#composer-text").fill("새만금 청년 교류를 늘려 주세요.")
    room.locator("[data-composer-send]").click()

    console = new_page(width=1280, height=900)
    sign_in(console, base, host.username)
    console.goto(f"{base}/sessions/{session.pk}/console/")
    statement = console.locator("[data-side-list] .statement", has_text="새만금 청년 교류")
    statement.get_by_role("button", name="발언 제한: 군산청년").click()
    sanctions = console.locator("[data-sanctions]")
    expect(sanctions).to_contain_text("군산청년")

    console.reload()
    expect(console.locator("[data-conn]")).to_have_text("연결됨")
    expect(sanctions).to_contain_text("군산청년")
    expect(sanctions).not_to_contain_text("#")


def test_open_mic_poll_panel_is_not_called_a_deliberation(
    live_server_url: str, new_page: Any, sign_in: Any, axe_check: Any
) -> None:
    host = FacilitatorFactory()
    session = SessionFactory(state=Session.State.LIVE, agenda__organisation=host.organisation)
    resident = ResidentFactory()
    base = live_server_url
    console = new_page(width=1280, height=900)
    sign_in(console, base, host.username)
    console.goto(f"{base}/sessions/{session.pk}/console/")
    poll_panel = console.locator("[data-delib]")
    expect(poll_panel.get_by_role("heading", level=2)).to_have_text("실시간 여론조사")

    room = new_page(width=360, height=740)
    room.context.add_cookies(
        [{"name": settings.RESIDENT_COOKIE_NAME, "value": resident_token(resident), "url": base}]
    )
    room.goto(f"{base}/sessions/{session.pk}/room/")
    expect(room.locator("[data-conn]")).to_have_text("연결됨")
    poll_panel.get_by_label("질문", exact=True).fill("다음 모임은 어디서 할까요?")
    poll_panel.get_by_label("선택지(한 줄에 하나)").fill("시청\n도서관")
    poll_panel.get_by_role("button", name="여론조사 시작").click()
    room_panel = room.locator("[data-delib]")
    expect(room_panel).to_contain_text("다음 모임은 어디서 할까요?")
    expect(room_panel.get_by_role("heading", level=2)).to_have_text("실시간 여론조사")
    axe_check(room, "open-mic room with a live poll")


def test_signing_out_says_so(live_server_url: str, new_page: Any, sign_in: Any) -> None:
    host = FacilitatorFactory()
    page = new_page(width=360, height=740)
    sign_in(page, live_server_url, host.username)
    page.get_by_role("button", name="로그아웃").click()
    expect(page.get_by_text("로그아웃했습니다.")).to_be_visible()
    expect(page.get_by_role("link", name="로그인")).to_be_visible()


def test_projector_loads_without_failed_requests(
    live_server_url: str, new_page: Any, sign_in: Any
) -> None:
    host = FacilitatorFactory()
    session = SessionFactory(state=Session.State.LIVE, agenda__organisation=host.organisation)
    page = new_page(width=1280, height=800)
    sign_in(page, live_server_url, host.username)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(f"{live_server_url}/sessions/{session.pk}/projector/")
    expect(page.locator("[data-conn]")).to_have_text("연결됨")
    assert failed == []
    assert page.madang_errors == []
