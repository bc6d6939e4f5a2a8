"""The opinion map end to end in real chromium: three residents vote on their phones, the
map on the facilitator's console and on the projector changes as they do, a statement
put up for a vote reaches the phones first, and the digest shows the groups.

Twelve residents voted before the page opened (two camps); the three on phones join them.
Waits are Playwright's expectations (conditions), never sleeps.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from deliberation.agendas.models import Session
from deliberation.live.models import Participant
from deliberation.live.services import statement_post
from deliberation.opinions.models import OpinionRoom, StatementVote
from deliberation.opinions.services import opinion_map_refresh
from deliberation.people.identity import resident_token
from tests.factories import FacilitatorFactory, ResidentFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

expect.set_options(timeout=20_000)

# Each camp's vote on each statement: 1 agree, -1 disagree.
STATEMENTS = {
    "공원과 산책로를 늘려 주세요.": (1, 1),
    "야간 버스를 늘려야 합니다.": (1, -1),
    "주차장을 먼저 지어야 합니다.": (-1, 1),
    "축제 예산을 줄여야 합니다.": (-1, -1),
}
BUTTON = {1: "동의", -1: "비동의", 0: "패스"}


def seed() -> dict[str, Any]:
    facilitator = FacilitatorFactory(nickname="전주 진행자")
    session = SessionFactory(
        title="전주 생활환경 자유발언대",
        state=Session.State.LIVE,
        agenda__organisation=facilitator.organisation,
    )
    author = ResidentFactory(nickname="글쓴이")
    ids = {}
    for i, text in enumerate(STATEMENTS):
        ids[text] = statement_post(
            actor=author, session_id=session.pk, client_msg_id=f"s{i}", text=text
        ).statement_id
    OpinionRoom.objects.create(session=session, voting=True)
    for n in range(12):
        person = ResidentFactory()
        Participant.objects.create(session=session, person=person)
        camp = n % 2
        for text, votes in STATEMENTS.items():
            StatementVote.objects.create(
                session=session, statement_id=ids[text], person=person, value=votes[camp]
            )
    opinion_map_refresh(session_id=session.pk, force=True)
    phones = [ResidentFactory(nickname=f"주민{i}") for i in range(3)]
    return {"facilitator": facilitator, "session": session, "phones": phones, "ids": ids}


def open_phone(new_page: Any, base: str, resident: Any, session: Session) -> Any:
    page = new_page(width=390)
    page.context.add_cookies(
        [{"name": settings.RESIDENT_COOKIE_NAME, "value": resident_token(resident), "url": base}]
    )
    page.goto(f"{base}/sessions/{session.pk}/room/")
    expect(page.locator("[data-conn]")).to_have_text("연결됨")
    return page


def vote_all(phone: Any, camp: int) -> None:
    """Vote on every card the phone shows, as the camp would."""
    card = phone.locator("[data-opinions] [data-op-card]")
    for _ in STATEMENTS:
        text = card.locator(".op-statement__text")
        expect(text).to_be_visible()
        statement = text.inner_text()
        value = STATEMENTS[statement][camp]
        card.get_by_role("button", name=BUTTON[value], exact=True).click()
        expect(card.locator(f".op-statement__text:text-is('{statement}')")).to_have_count(0)
    expect(card).to_contain_text("모두 보셨습니다")


def test_three_phones_vote_and_the_map_follows_live(
    live_server_url: str, new_page: Any, sign_in: Any, axe_check: Any, shot: Any
) -> None:
    base = live_server_url
    data = seed()
    session = data["session"]

    console = new_page(width=1280, height=900)
    sign_in(console, base, data["facilitator"].username)
    console.goto(f"{base}/sessions/{session.pk}/console/")
    projector = new_page(width=1280, height=800)
    sign_in(projector, base, data["facilitator"].username)
    projector.goto(f"{base}/sessions/{session.pk}/projector/")
    for page in (console, projector):
        expect(page.locator("[data-conn]")).to_have_text("연결됨")
        expect(page.locator(".op-svg")).to_have_attribute("data-op-dots", "12")
        expect(page.locator(".op-legend li")).to_have_count(2)

    phones = [open_phone(new_page, base, r, session) for r in data["phones"]]
    # The card comes first on the phone, above the stage and the discussion.
    first = phones[0]
    expect(first.locator("[data-opinions]")).to_be_visible()
    card_top = first.locator("[data-opinions]").bounding_box()["y"]
    stage_top = first.locator(".room__grid").bounding_box()["y"]
    assert card_top < stage_top
    shot(first, "opinions-1-phone-card-390")
    axe_check(first, "phone voting card")

    vote_all(phones[0], camp=0)
    for page in (console, projector):
        expect(page.locator(".op-svg")).to_have_attribute("data-op-dots", "13")
    vote_all(phones[1], camp=1)
    vote_all(phones[2], camp=0)
    for page in (console, projector):
        expect(page.locator(".op-svg")).to_have_attribute("data-op-dots", "15")
        expect(page.locator(".op-consensus")).to_contain_text("공원과 산책로를 늘려 주세요.")
        expect(page.locator(".op-divisive")).to_contain_text("야간 버스를 늘려야 합니다.")
    sizes = console.locator(".op-legend li")
    expect(sizes).to_have_count(2)
    expect(console.locator(".op-legend")).to_contain_text("8명")
    expect(console.locator(".op-legend")).to_contain_text("7명")

    # Residents see their group: the two who voted alike share it, the third does not.
    groups = []
    for phone in phones:
        mine = phone.locator("[data-op-mine]")
        expect(mine).to_contain_text("나는 그룹")
        groups.append(mine.get_attribute("data-group"))
    assert groups[0] == groups[2] != groups[1]
    shot(phones[0], "opinions-2-phone-group-390")

    # The facilitator writes a statement and puts it up for a vote: phones show it first.
    console.locator("[data-composer] textarea").fill("도서관 운영 시간을 늘려 주세요.")
    console.locator("[data-composer] [data-composer-send]").click()
    row = console.locator("[data-op-row]", has_text="도서관 운영 시간을 늘려 주세요.")
    row.get_by_role("button", name="투표 올리기").click()
    featured = phones[1].locator(".op-statement--featured")
    expect(featured).to_contain_text("도서관 운영 시간을 늘려 주세요.")
    expect(featured).to_contain_text("진행자가 투표를 요청한 발언")
    expect(projector.locator("[data-op-featured]")).to_contain_text("도서관 운영 시간을")
    featured.get_by_role("button", name="동의", exact=True).click()
    expect(row).to_contain_text("동의 1")
    shot(console, "opinions-3-console-1280")
    shot(projector, "opinions-4-projector-1280")
    axe_check(console, "console with the map")
    axe_check(projector, "projector with the map")
    narrow = new_page(width=390)
    sign_in(narrow, base, data["facilitator"].username)
    narrow.goto(f"{base}/sessions/{session.pk}/console/")
    expect(narrow.locator(".op-svg")).to_have_attribute("data-op-dots", "15")
    shot(narrow, "opinions-5-console-390")
    for page in (console, projector, *phones):
        assert not page.madang_errors, page.madang_errors

    # The close freezes the map; the digest shows the groups.
    console.once("dialog", lambda d: d.accept())
    console.locator("[data-room-action=close]").click()
    expect(console.locator("[data-room-state]")).to_have_text("종료")
    console.goto(f"{base}/sessions/{session.pk}/digest/")
    console.get_by_role("button", name="초안 만들기").click()
    section = console.locator("#section-opinion_groups")
    expect(section).to_be_visible(timeout=60_000)
    expect(section).to_contain_text("그룹 A")
    expect(section).to_contain_text("공통 동의: 공원과 산책로를 늘려 주세요.")
    link = section.locator("a[href^='#stmt-']").first
    expect(link).to_be_visible()
    shot(console, "opinions-6-digest-1280")
    digest_narrow = new_page(width=390)
    sign_in(digest_narrow, base, data["facilitator"].username)
    digest_narrow.goto(console.url)
    expect(digest_narrow.locator("#section-opinion_groups")).to_contain_text("그룹 B")
    shot(digest_narrow, "opinions-7-digest-390")
    axe_check(digest_narrow, "digest with opinion groups")
    for page in (console, digest_narrow):
        assert not page.madang_errors, page.madang_errors  # nothing the page's CSP refused
    assert OpinionRoom.objects.get(session=session).final
