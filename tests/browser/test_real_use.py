"""What residents, facilitators and the projector show, tried as people use them.

Residents on a 390x844 phone, facilitators on a 1366x800 laptop, the projector at
1920x1080, against the real server. Each test photographs what it checks
(test-artifacts/screenshots/real-use-*.png) and runs axe on the pages it opens.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from deliberation.agendas.models import Session
from deliberation.live.models import ModerationAction, Statement
from deliberation.people.identity import resident_token
from deliberation.people.models import Organisation
from tests.browser.conftest import ARTIFACTS
from tests.factories import FacilitatorFactory, ResidentFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

expect.set_options(timeout=20_000)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 800}
HALL = {"width": 1920, "height": 1080}

# Is the element's box inside the visible part of the page (not only on the page)?
IN_VIEWPORT = """(node) => {
  const r = node.getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
}"""


def screen(page: Any, name: str) -> None:
    """What the person sees right now (the viewport, where they have scrolled to)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def resident_page(new_page: Any, base: str, resident: Any, path: str, **size: Any) -> Any:
    page = new_page(**(size or PHONE))
    page.context.add_cookies(
        [{"name": settings.RESIDENT_COOKIE_NAME, "value": resident_token(resident), "url": base}]
    )
    page.goto(base + path)
    expect(page.locator("[data-conn]")).to_have_text(re.compile("연결됨|Connected"))
    return page


def console_page(new_page: Any, sign_in: Any, base: str, host: Any, session: Session) -> Any:
    page = new_page(**LAPTOP)
    sign_in(page, base, host.username)
    page.goto(f"{base}/sessions/{session.pk}/console/")
    return page


@pytest.fixture
def hall(live_server_url: str) -> dict[str, Any]:
    host = FacilitatorFactory(nickname="전북 진행자")
    session = SessionFactory(
        title="새만금 국제교류 주민 토론",
        state=Session.State.LIVE,
        agenda__organisation=host.organisation,
        agenda__title="새만금과 세계",
    )
    return {"host": host, "session": session, "base": live_server_url}


def _fill_side_discussion(page: Any, n: int) -> None:
    for i in range(n):
        page.locator("#composer-text").fill(f"옆자리 의견 {i + 1}: 교류 프로그램을 늘려 주세요.")
        page.locator("[data-composer-send]").click()
        expect(page.locator("[data-side-list] .statement")).to_have_count(i + 1)


def test_resident_at_the_composer_sees_the_floor_and_a_new_poll(
    hall: dict[str, Any], new_page: Any, sign_in: Any, axe_check: Any, shot: Any
) -> None:
    base, session, host = hall["base"], hall["session"], hall["host"]
    alice = ResidentFactory(nickname="전주시민")
    room = resident_page(new_page, base, alice, f"/sessions/{session.pk}/room/")
    # The room, not the site's header, fills the first screen of a phone.
    head = room.locator(".site-header").bounding_box()
    assert head is not None and head["height"] <= 110, head
    title_box = room.locator(".room-head__title").bounding_box()
    assert title_box is not None and title_box["y"] < 200, title_box
    shot(room, "real-use-1-room-top-phone")
    _fill_side_discussion(room, 6)
    room.locator("#composer-text").scroll_into_view_if_needed()
    room.locator("#composer-text").focus()
    room.get_by_role("button", name="발언 신청").click()

    console = console_page(new_page, sign_in, base, host, session)
    console.get_by_role("button", name="다음 사람에게 발언권").click()

    banner = room.locator("[data-room-alert]")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_contain_text("지금 발언하실 차례입니다")
    expect(banner).to_contain_text("마이크로 말씀하시고")
    assert banner.evaluate(IN_VIEWPORT), "the floor banner is off screen"
    screen(room, "real-use-2-floor-banner-phone")
    axe_check(room, "room with the floor banner")

    # A statement said during the turn goes on the stage under the speaker's name.
    room.locator("#composer-text").fill("새만금에 국제 청소년 캠프를 열면 좋겠습니다.")
    room.locator("[data-composer-send]").click()
    stage = console.locator("[data-stage-list]")
    expect(stage.locator(".statement")).to_have_count(1)
    expect(stage).to_contain_text("국제 청소년 캠프")

    # "I'm done": the speaker ends their own turn from the banner.
    banner.get_by_role("button", name="발언 마치기").click()
    expect(console.locator("[data-stage-speaker]")).to_have_text("지금 발언 중인 사람이 없습니다.")
    expect(room.locator("[data-room-alert]")).to_contain_text("발언 시간이 끝났습니다.")
    # The finished turn's words leave the stage; they stay in the discussion.
    expect(stage.locator(".statement")).to_have_count(0)
    expect(console.locator("[data-side-list]")).to_contain_text("국제 청소년 캠프")

    # A poll opened while the resident is at the composer reaches them there.
    room.locator("[data-room-alert-close]").click()
    room.locator("#composer-text").scroll_into_view_if_needed()
    poll_panel = console.locator("[data-delib]")
    poll_panel.get_by_label("질문", exact=True).fill("다음 모임은 어디서 할까요?")
    poll_panel.get_by_label("선택지(한 줄에 하나)").fill("군산\n부안\n김제")
    poll_panel.get_by_role("button", name="여론조사 시작").click()
    expect(banner).to_contain_text("다음 모임은 어디서 할까요?")
    assert banner.evaluate(IN_VIEWPORT), "the poll banner is off screen"
    screen(room, "real-use-3-poll-banner-phone")
    banner.get_by_role("button", name="지금 답하기").click()
    poll = room.locator(".delib-poll", has_text="다음 모임은 어디서 할까요?")
    first_choice = poll.get_by_label("군산", exact=True)
    expect(first_choice).to_be_focused()  # the answer is one key press away
    expect(first_choice).to_be_in_viewport()
    assert room.madang_errors == []


def test_stage_shows_only_the_current_turn(
    hall: dict[str, Any], new_page: Any, sign_in: Any, axe_check: Any, shot: Any
) -> None:
    base, session, host = hall["base"], hall["session"], hall["host"]
    first, second = ResidentFactory(nickname="첫 발언자"), ResidentFactory(nickname="둘째 발언자")
    a = resident_page(new_page, base, first, f"/sessions/{session.pk}/room/")
    b = resident_page(new_page, base, second, f"/sessions/{session.pk}/room/")
    console = console_page(new_page, sign_in, base, host, session)
    a.get_by_role("button", name="발언 신청").click()
    b.get_by_role("button", name="발언 신청").click()
    expect(console.locator("[data-queue-list] li")).to_have_count(2)
    console.get_by_role("button", name="다음 사람에게 발언권").click()
    a.locator("#composer-text").fill("첫째 순서의 말: 항만 교류를 늘립시다.")
    a.locator("[data-composer-send]").click()
    expect(b.locator("[data-stage-list]")).to_contain_text("항만 교류")

    console.get_by_role("button", name="다음 사람에게 발언권").click()
    expect(b.locator("[data-stage-speaker]")).to_contain_text("둘째 발언자")
    # The new speaker's stage does not carry the previous speaker's words.
    expect(b.locator("[data-stage-list] .statement")).to_have_count(0)
    expect(b.locator("[data-side-list]")).to_contain_text("항만 교류")
    b.locator("#composer-text").fill("둘째 순서의 말: 공항 노선이 먼저입니다.")
    b.locator("[data-composer-send]").click()
    for page in (a, console):
        stage = page.locator("[data-stage-list]")
        expect(stage.locator(".statement")).to_have_count(1)
        expect(stage).to_contain_text("공항 노선")
        expect(stage).not_to_contain_text("항만 교류")
    shot(a, "real-use-4-stage-current-turn-phone")
    axe_check(a, "room on the second turn")


def test_facilitator_is_asked_before_anything_irreversible(
    hall: dict[str, Any], new_page: Any, sign_in: Any, axe_check: Any, shot: Any
) -> None:
    base, session, host = hall["base"], hall["session"], hall["host"]
    resident = ResidentFactory(nickname="군산청년")
    room = resident_page(new_page, base, resident, f"/sessions/{session.pk}/room/")
    _fill_side_discussion(room, 3)
    console = console_page(new_page, sign_in, base, host, session)
    expect(console.locator("[data-conn]")).to_have_text("연결됨")
    axe_check(console, "console, live")

    # The reason typed for one hide is not stamped on the next action.
    reason = console.get_by_label(re.compile("다음 조치의 사유"))
    reason.fill("욕설이 섞여 있음")
    first = console.locator("[data-side-list] .statement", has_text="옆자리 의견 1")
    first.get_by_role("button", name="가리기: 군산청년").click()
    expect(reason).to_have_value("")
    banner = room.locator("[data-room-alert]")
    expect(banner).to_contain_text("진행자가 내 발언을 가렸습니다.")
    expect(banner).to_contain_text("욕설이 섞여 있음")
    # The resident reads the public moderation log too.
    room.locator(".public-log summary").click()
    expect(room.locator("[data-public-log]")).to_contain_text("욕설이 섞여 있음")
    shot(room, "real-use-5-hidden-notice-phone")
    hidden = console.locator("[data-side-list] .statement", has_text="옆자리 의견 1")
    hidden.get_by_role("button", name="되돌리기: 군산청년").click()
    expect(console.locator("[data-side-list] .statement.is-hidden")).to_have_count(0)
    reasons = list(
        ModerationAction.objects.filter(session=session)
        .order_by("pk")
        .values_list("kind", "reason")
    )
    assert reasons[-2:] == [("hide", "욕설이 섞여 있음"), ("restore", "")]

    # Removing someone says so: it never reads like "export".
    remove = console.get_by_role("button", name="회의에서 퇴장시키기: 군산청년")
    expect(remove.first).to_be_visible()
    expect(console.get_by_role("button", name=re.compile("^내보내기"))).to_have_count(0)

    # Bulk hide: pick two, confirm, both are hidden with one reason.
    for text in ("옆자리 의견 2", "옆자리 의견 3"):
        console.locator("[data-side-list] .statement", has_text=text).get_by_text("고르기").click()
    expect(console.locator("[data-bulk-count]")).to_have_text("2개 고름")
    prompts: list[str] = []
    console.once("dialog", lambda d: (prompts.append(d.message), d.accept()))
    console.get_by_role("button", name="고른 발언 가리기").click()
    expect(console.locator("[data-side-list] .statement.is-hidden")).to_have_count(2)
    assert prompts == ["고른 발언 2개를 가릴까요?"]
    expect(room.locator("[data-side-list] .statement")).to_have_count(1)

    # Closing asks first: dismissed, the meeting goes on; accepted, it closes.
    console.once("dialog", lambda d: (prompts.append(d.message), d.dismiss()))
    console.get_by_role("button", name="회의 종료").click()
    assert "30분" in prompts[-1]
    expect(console.locator("[data-room-state]")).to_have_text("진행 중")
    console.once("dialog", lambda d: d.accept())
    console.get_by_role("button", name="회의 종료").click()
    expect(console.locator("[data-room-state]")).to_have_text("종료")
    session.refresh_from_db()
    assert session.state == Session.State.CLOSED

    # Within the set time the facilitator can take it back.
    console.reload()
    expect(console.locator("[data-conn]")).to_have_text("진행 중 아님")
    expect(console.locator("[data-conn]")).not_to_have_text("연결 끊김")
    expect(console.locator(".room-notice--static")).to_contain_text("종료된 회의입니다")
    shot(console, "real-use-6-console-closed-laptop")
    axe_check(console, "console, closed")
    console.get_by_role("button", name="회의 다시 열기").click()
    expect(console.locator("[data-room-state]")).to_have_text("진행 중")
    session.refresh_from_db()
    assert session.state == Session.State.LIVE
    assert Statement.objects.filter(session=session).count() == 3  # nothing stored is lost


def test_console_before_the_meeting_reads_as_a_console(
    live_server_url: str, new_page: Any, sign_in: Any, axe_check: Any, shot: Any
) -> None:
    host = FacilitatorFactory()
    session = SessionFactory(state=Session.State.SCHEDULED, agenda__organisation=host.organisation)
    console = console_page(new_page, sign_in, live_server_url, host, session)
    expect(console.locator("[data-conn]")).to_have_text("진행 중 아님")
    notice = console.locator(".room-notice--static")
    expect(notice).to_contain_text("회의 시작 전입니다")
    expect(notice).not_to_contain_text("새로고침해 주세요")
    shot(console, "real-use-7-console-scheduled-laptop")
    axe_check(console, "console, scheduled")


def test_projector_shows_the_speaker_and_poll_results_without_scrolling(
    hall: dict[str, Any], new_page: Any, sign_in: Any, axe_check: Any, shot: Any
) -> None:
    base, session, host = hall["base"], hall["session"], hall["host"]
    residents = [ResidentFactory(nickname=n) for n in ("부안주민", "김제주민")]
    pages = [resident_page(new_page, base, r, f"/sessions/{session.pk}/room/") for r in residents]
    _fill_side_discussion(pages[1], 5)
    console = console_page(new_page, sign_in, base, host, session)
    projector = new_page(**HALL)
    sign_in(projector, base, host.username)
    projector.goto(f"{base}/sessions/{session.pk}/projector/")
    expect(projector.locator("[data-conn]")).to_have_text("연결됨")
    pages[0].get_by_role("button", name="발언 신청").click()
    console.get_by_role("button", name="다음 사람에게 발언권").click()
    poll_panel = console.locator("[data-delib]")
    poll_panel.get_by_label("질문", exact=True).fill("새만금 잼버리 부지를 어떻게 쓸까요?")
    poll_panel.get_by_label("선택지(한 줄에 하나)").fill("국제 청소년 센터\n태양광 단지\n생태 공원")
    poll_panel.get_by_role("button", name="여론조사 시작").click()
    for page, answer in zip(pages, ("국제 청소년 센터", "생태 공원"), strict=True):
        poll = page.locator(".delib-poll", has_text="잼버리")
        poll.get_by_label(answer, exact=True).check()
        poll.get_by_role("button", name="응답하기").click()
        expect(poll.locator(".delib-form__status")).to_have_text("응답했습니다.")
    results = projector.locator(".delib-poll", has_text="잼버리")
    expect(results.locator("[data-poll-voters]")).to_have_text("응답 2명")
    expect(projector.locator("[data-stage-speaker]")).to_contain_text("부안주민")
    # Readable from the back of the hall: all of it on the first screen, in large type.
    screen(projector, "real-use-8-projector")
    speaker, timer = (
        projector.locator("[data-stage-speaker]"),
        projector.locator("[data-stage-timer]"),
    )
    for node in (results, speaker, timer):
        assert node.evaluate(IN_VIEWPORT), node
    label = results.locator(".delib-bars__label").first
    size = label.evaluate("n => parseFloat(getComputedStyle(n).fontSize)")
    assert size >= 28, size
    assert projector.evaluate("document.documentElement.scrollHeight") <= HALL["height"] + 1
    screen(projector, "real-use-8-projector")
    axe_check(projector, "projector with a poll")
    # The projector is a screen, not a participant: two residents, one facilitator.
    expect(console.locator("[data-presence]")).to_have_text("3명 참여 중")


ENGLISH_PAGES_SCRIPT = """() => {
  // Text a person reads, minus what people wrote or are called (names, statements, titles).
  const skip = '.statement__text, .statement__author, .queue__name, .stage__name strong, '
    + '.room-head__title, .room-head__agenda, .account__who, .delib-poll__q strong, '
    + '.delib-bars__label, [data-presence-list], .pinned, [lang="ko"], '
    + '.op-statement__text, .op-row__text, .op-featured__text, .op-quote, .flag__text, .dg-kw, '
    + '.delib-question__text, .delib-reply__text, .pinned__text, .dg-live-quote, '
    + 'title, script, style, option, optgroup';
  const hangul = /[\\uac00-\\ud7a3]/;
  // "Label: quoted words" or "name: Action" joins an English label to someone's words;
  // it is left in Korean only if every part of it is Korean.
  const korean = (text) => hangul.test(text) && text.split(': ').every((part) => hangul.test(part));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim() || n.parentElement.closest(skip)) continue;
    if (n.parentElement.closest('[hidden]')) continue;
    if (korean(n.textContent)) out.push(n.textContent.trim());
  }
  for (const node of document.querySelectorAll('[aria-label], [placeholder]')) {
    if (node.closest(skip)) continue;
    for (const attr of ['aria-label', 'placeholder']) {
      const v = node.getAttribute(attr);
      if (v && korean(v)) out.push(v);
    }
  }
  return out;
}"""


def test_english_pages_have_no_korean_outside_names_and_quotes(
    hall: dict[str, Any], new_page: Any, sign_in: Any, axe_check: Any, shot: Any
) -> None:
    base, session, host = hall["base"], hall["session"], hall["host"]
    resident = ResidentFactory(nickname="영어사용자")
    room = new_page(width=390, height=844, locale="en-GB")
    room.context.add_cookies(
        [{"name": settings.RESIDENT_COOKIE_NAME, "value": resident_token(resident), "url": base}]
    )
    room.goto(f"{base}/sessions/{session.pk}/room/")
    expect(room.locator("[data-conn]")).to_have_text("Connected")
    room.locator("#composer-text").fill("한국어 발언도 그대로 보입니다.")
    room.locator("[data-composer-send]").click()
    room.get_by_role("button", name="Raise hand").click()
    expect(room.locator(".statement__text").last).to_have_text("한국어 발언도 그대로 보입니다.")
    # Analysed now, as the worker would: the console's live digest quotes the statement.
    from deliberation.analysis import api as analysis

    analysis.analysis_drain()
    console = new_page(width=1366, height=800, locale="en-GB")
    sign_in(console, base, host.username)
    console.goto(f"{base}/sessions/{session.pk}/console/")
    expect(console.locator("[data-conn]")).to_have_text("Connected")
    expect(console.locator(".dg-live-quote").first).to_have_text("한국어 발언도 그대로 보입니다.")
    polls = console.locator("[data-delib]")
    polls.get_by_label("Question", exact=True).fill("어디서?")
    polls.get_by_label(re.compile("Options")).fill("군산\n부안")
    polls.get_by_role("button", name=re.compile("Start the poll|Launch")).click()
    expect(room.locator(".delib-poll")).to_contain_text("0 responses")
    room.locator(".delib-poll").get_by_label("군산", exact=True).check()
    room.locator(".delib-poll").get_by_role("button", name="Answer").click()
    expect(console.locator(".delib-poll [data-poll-voters]")).to_have_text("1 response")
    console.locator(".delib-poll").get_by_role("button", name="Close the poll").click()
    expect(room.locator(".delib-poll .delib-tag")).to_have_text("Closed")
    for page, label in ((room, "room"), (console, "console")):
        leftovers = page.evaluate(ENGLISH_PAGES_SCRIPT)
        assert leftovers == [], f"Korean left on the English {label}: {leftovers}"
        axe_check(page, f"English {label}")
    shot(room, "real-use-9-english-room-phone")
    shot(console, "real-use-9-english-console-laptop")
    # One click to Korean, the button named in Korean itself.
    switch = room.locator(".lang-switch")
    expect(switch.get_by_role("button", name="한국어")).to_be_visible()
    join = new_page(width=390, height=844, locale="en-GB")
    join.goto(f"{base}/join/")
    assert join.evaluate(ENGLISH_PAGES_SCRIPT) == []
    switch = join.locator(".lang-switch")
    switch.get_by_role("button", name="한국어").click()
    expect(join.locator("html")).to_have_attribute("lang", "ko")
    expect(join.locator(".lang-switch").get_by_role("button", name="English")).to_be_visible()


def test_region_list_is_grouped_and_searchable(
    live_server_url: str, new_page: Any, axe_check: Any, shot: Any
) -> None:
    from deliberation.people.regions import regions_load

    regions_load()
    page = new_page(**PHONE)
    page.goto(f"{live_server_url}/join/")
    nickname = page.get_by_label("닉네임")
    expect(page.locator("#id_nickname_helptext")).to_contain_text("20자까지")
    nickname.fill("가" * 30)
    expect(nickname).to_have_value("가" * 20)
    search = page.get_by_label("시·군·구 검색")
    search.fill("고성")
    visible = page.locator("#id_region optgroup option:not([hidden])")
    expect(visible).to_have_count(2)
    expect(visible.nth(0)).to_have_text(re.compile("고성군$"))
    labels = sorted(visible.all_text_contents())
    assert labels == ["강원특별자치도 고성군", "경상남도 고성군"]
    search.fill("부산 중구")
    busan_jung = Organisation.objects.get(parent__slug="busan", name="중구")
    expect(page.locator("#id_region")).to_have_value(str(busan_jung.pk))
    shot(page, "real-use-10-region-search-phone")
    axe_check(page, "quick join with the region search")


def test_premoderation_queue_end_to_end_and_who_is_present(
    hall: dict[str, Any], new_page: Any, sign_in: Any, axe_check: Any, shot: Any
) -> None:
    from deliberation.people.regions import regions_load

    base, session, host = hall["base"], hall["session"], hall["host"]
    regions = regions_load()
    resident = ResidentFactory(nickname="부산 중구민", region=regions["busan-jung-gu"])
    console = console_page(new_page, sign_in, base, host, session)
    expect(console.locator("[data-conn]")).to_have_text("연결됨")
    console.get_by_label("사전 승인(진행자 승인 후 공개)").check()
    room = resident_page(new_page, base, resident, f"/sessions/{session.pk}/room/")
    expect(room.locator("[data-room-notice]")).to_contain_text("사전 승인")
    # The console lists who is here: one line a person, with role and region.
    present = console.locator("[data-presence-list]")
    expect(present.locator("li", has_text="부산 중구민")).to_contain_text("부산광역시 중구")
    expect(present.locator("li", has_text="부산 중구민")).to_contain_text("주민")
    expect(present.locator("li")).to_have_count(2)

    room.locator("#composer-text").fill("영도 다리에서 국제 축제를 열어요.")
    room.locator("[data-composer-send]").click()
    expect(room.locator("[data-composer-status]")).to_have_text("진행자 승인 후 공개됩니다.")
    pending = console.locator("[data-pending-list] .statement", has_text="국제 축제")
    expect(pending).to_be_visible()
    expect(room.locator("[data-side-list]")).not_to_contain_text("국제 축제")
    shot(console, "real-use-11-approval-queue-laptop")
    pending.get_by_role("button", name="승인").click()
    expect(room.locator("[data-side-list]")).to_contain_text("국제 축제")
    expect(room.locator("[data-room-alert]")).to_contain_text("승인되어 공개되었습니다")
    expect(console.locator("[data-pending-list] .statement")).to_have_count(0)

    room.locator("#composer-text").fill("광고: 010-1234-5678로 연락 주세요")
    room.locator("[data-composer-send]").click()
    second = console.locator("[data-pending-list] .statement", has_text="광고")
    console.get_by_label(re.compile("다음 조치의 사유")).fill("광고성 글")
    second.get_by_role("button", name="거절").click()
    expect(room.locator("[data-room-alert]")).to_contain_text("승인되지 않았습니다")
    expect(room.locator("[data-room-alert]")).to_contain_text("광고성 글")
    expect(room.locator("[data-side-list]")).not_to_contain_text("광고")
    shot(room, "real-use-12-rejected-notice-phone")
    axe_check(console, "console with the approval queue")
    assert list(
        Statement.objects.filter(session=session).order_by("pk").values_list("status", flat=True)
    ) == ["visible", "rejected"]


def test_deliberation_console_puts_the_current_phase_at_the_top(
    live_server_url: str, new_page: Any, sign_in: Any, axe_check: Any, shot: Any
) -> None:
    host = FacilitatorFactory()
    session = SessionFactory(
        state=Session.State.LIVE,
        kind=Session.Kind.DELIBERATION,
        agenda__organisation=host.organisation,
    )
    console = console_page(new_page, sign_in, live_server_url, host, session)
    controls = console.locator("[data-delib-phase-controls]")
    expect(controls).to_be_visible()
    assert controls.evaluate(IN_VIEWPORT), "phase controls are below the first screen"
    console.get_by_role("button", name="다음 단계").click()
    expect(console.locator("[data-delib-phase-label]")).to_have_text("안내·학습")
    # The briefing's questions come right under the controls.
    first_section = console.locator("[data-delib-console-status] + section h3")
    expect(first_section).to_have_text("질문과 답변")
    shot(console, "real-use-13-deliberation-console-laptop")
    axe_check(console, "deliberation console")
