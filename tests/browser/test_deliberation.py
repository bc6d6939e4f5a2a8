"""A whole deliberation in real chromium: a facilitator, three residents and a projector.

Briefing question answered, stances counted, two duplicate proposals merged, a ranked
vote, a live poll, the wrap-up and the close; every phase photographed at phone width.
Waits are Playwright's expectations (conditions), never sleeps.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from deliberation.agendas.models import Session
from deliberation.people.identity import resident_token
from deliberation.structured.models import Ballot, FrozenResults, Proposal
from tests.factories import FacilitatorFactory, ResidentFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def open_resident(new_page: Any, base: str, resident: Any, path: str) -> Any:
    page = new_page(width=390)
    page.context.add_cookies(
        [{"name": settings.RESIDENT_COOKIE_NAME, "value": resident_token(resident), "url": base}]
    )
    page.goto(base + path)
    return page


def connected(page: Any) -> None:
    expect(page.locator("[data-conn]")).to_have_text("연결됨")


def phase_is(page: Any, label: str) -> None:
    expect(page.locator("[data-delib-phase-label]")).to_have_text(label)


def panel(page: Any) -> Any:
    return page.locator("[data-delib]")


@pytest.fixture
def cast(live_server_url: str) -> dict[str, Any]:
    host = FacilitatorFactory(nickname="전북 진행자")
    session = SessionFactory(
        title="청년 해외 일자리 숙의",
        kind=Session.Kind.DELIBERATION,
        state=Session.State.LIVE,
        agenda__organisation=host.organisation,
        agenda__title="지역 청년의 해외 일자리",
    )
    residents = [ResidentFactory(nickname=name) for name in ("전주시민", "군산청년", "익산주민")]
    return {"host": host, "session": session, "residents": residents}


def test_a_whole_deliberation(
    live_server_url: str,
    cast: dict[str, Any],
    new_page: Any,
    sign_in: Any,
    axe_check: Any,
    shot: Any,
) -> None:
    base = live_server_url
    session = cast["session"]
    console = new_page(width=1100, height=900)
    console.on("dialog", lambda dialog: dialog.accept())  # merge and close ask first
    sign_in(console, base, cast["host"].username)
    console.goto(f"{base}/sessions/{session.pk}/console/")
    projector = new_page(width=1280, height=800)
    sign_in(projector, base, cast["host"].username)
    projector.goto(f"{base}/sessions/{session.pk}/projector/")
    a, b, c = (
        open_resident(new_page, base, r, f"/sessions/{session.pk}/room/") for r in cast["residents"]
    )
    residents = [a, b, c]
    everyone = [console, projector, *residents]
    for page in everyone:
        connected(page)
    expect(panel(a)).to_be_visible()
    phase_is(a, "단계 시작 전")
    axe_check(a, "room before the first phase")

    # 1. 안내·학습: a question, answered by the facilitator.
    c_panel = panel(console)
    c_panel.get_by_role("button", name="다음 단계").click()
    for page in everyone:
        phase_is(page, "안내·학습")
    expect(a.locator("[data-delib-timer]")).to_contain_text("남은 시간")
    a_panel = panel(a)
    # One composer: in the briefing it offers a plain comment or a question.
    a_composer = a.locator("[data-composer]")
    expect(a_composer.get_by_role("radio")).to_have_count(2)
    a_composer.get_by_role("radio", name="질문").check()
    a.locator("#composer-text").fill("해외 인턴 예산은 얼마인가요?")
    a_composer.get_by_role("button", name="보내기").click()
    question = c_panel.locator(".delib-question", has_text="해외 인턴 예산은 얼마인가요?")
    expect(question).to_be_visible()
    question.get_by_role("button", name="답글").click()
    c_panel.get_by_label("답글 쓰기").fill("올해는 3억 원이 편성되어 있습니다.")
    c_panel.get_by_role("button", name="답글 보내기").click()
    expect(question).to_contain_text("올해는 3억 원이 편성되어 있습니다.")
    question.get_by_role("button", name="답변 완료로 표시").click()
    a_question = a_panel.locator(".delib-question", has_text="해외 인턴 예산은 얼마인가요?")
    expect(a_question).to_contain_text("답변 완료")
    expect(a_question).to_contain_text("올해는 3억 원이 편성되어 있습니다.")
    shot(a, "deliberation-1-briefing-phone")
    axe_check(a, "room in the briefing")

    # 2. 의견 나누기: three stances, counted live everywhere.
    c_panel.get_by_role("button", name="다음 단계").click()
    for page in everyone:
        phase_is(page, "의견 나누기")
    for page, stance, text in (
        (a, "찬성", "청년에게 해외 경험은 꼭 필요합니다."),
        (b, "반대", "지역 일자리부터 챙겨야 합니다."),
        (c, "찬성", "자매도시와 연계하면 좋겠습니다."),
    ):
        composer = page.locator("[data-composer]")
        composer.get_by_role("radio", name=stance).check()
        page.locator("#composer-text").fill(text)
        composer.get_by_role("button", name="보내기").click()
        # The stance is labelled wherever the statement shows.
        mine = page.locator("[data-side-list] .statement", has_text=text)
        expect(mine.locator(".tag--stance")).to_have_text(stance)
    for page in (projector, a, b):
        counts = panel(page).locator("[data-delib-stance-counts]").first
        expect(counts.locator("[data-stance=for] .delib-bars__count")).to_have_text("2")
        expect(counts.locator("[data-stance=against] .delib-bars__count")).to_have_text("1")
    shot(b, "deliberation-2-discussion-phone")
    shot(projector, "deliberation-2-discussion-projector")

    # 3. 제안: three proposals, two of them duplicates, merged by the facilitator.
    c_panel.get_by_role("button", name="다음 단계").click()
    for page in everyone:
        phase_is(page, "제안")
    expect(a.locator("[data-delib-announce]")).to_have_text("지금 단계: 제안")
    for page, title in (
        (a, "청년 해외 인턴십 확대"),
        (b, "해외 인턴십 지원 늘리기"),
        (c, "자매도시 청년 교류 프로그램"),
    ):
        p = panel(page)
        p.get_by_label("제안 제목").fill(title)
        p.get_by_label("제안 내용(선택)").fill("도와 시군이 함께 예산을 마련합니다.")
        p.get_by_role("button", name="제안 올리기").click()
        expect(p.locator("[data-delib-proposal-form] [data-delib-status]")).to_have_text(
            "제안을 올렸습니다."
        )
    c_list = c_panel.locator("[data-delib-proposals] .delib-proposal")
    expect(c_list).to_have_count(3)
    # 익산주민 backs both duplicates: after the merge they count once.
    c_props = panel(c).locator(".delib-proposal")
    for title in ("청년 해외 인턴십 확대", "해외 인턴십 지원 늘리기"):
        c_props.filter(has_text=title).get_by_role("button", name="지지하기").click()
        expect(
            c_props.filter(has_text=title).get_by_role("button", name="지지 취소")
        ).to_be_visible()
    expect(panel(a).locator(".delib-proposal", has_text="청년 해외 인턴십 확대")).to_contain_text(
        "지지 2명"
    )
    shot(a, "deliberation-3-proposals-phone")
    c_list.filter(has_text="청년 해외 인턴십 확대").get_by_label("합치기 선택").check()
    c_list.filter(has_text="해외 인턴십 지원 늘리기").get_by_label("합치기 선택").check()
    c_panel.get_by_label("남길 제안").select_option(label="청년 해외 인턴십 확대")
    c_panel.get_by_role("button", name="고른 제안 합치기").click()
    for page in (a, b, c, console):
        props = panel(page).locator("[data-delib-proposals] .delib-proposal")
        expect(props).to_have_count(2)
        expect(props.filter(has_text="청년 해외 인턴십 확대")).to_contain_text("지지 3명")
    shot(b, "deliberation-3-proposals-merged-phone")
    shot(console, "deliberation-3-proposals-console")
    axe_check(a, "room in the proposals phase")
    axe_check(console, "console")

    # 4. 투표: a ranked vote of the top two.
    vote_form = c_panel.locator("[data-delib-vote-config]")
    vote_form.get_by_label("순위 투표").check()
    vote_form.get_by_label("순위 수").fill("2")
    vote_form.get_by_role("button", name="투표 방식 저장").click()
    expect(c_panel.locator("[data-delib-console-status]")).to_have_text("저장했습니다.")
    c_panel.get_by_role("button", name="다음 단계").click()
    for page in everyone:
        phase_is(page, "투표")
    ballots = {
        a: [("청년 해외 인턴십 확대", "1위"), ("자매도시 청년 교류 프로그램", "2위")],
        b: [("자매도시 청년 교류 프로그램", "1위"), ("청년 해외 인턴십 확대", "2위")],
        c: [("청년 해외 인턴십 확대", "1위")],
    }
    for page, choices in ballots.items():
        p = panel(page)
        expect(p.locator("[data-delib-ballot-hint]")).to_have_text(
            "좋은 제안부터 2위까지 순위를 정해 주세요."
        )
        for title, rank in choices:
            p.get_by_label(title).select_option(label=rank)
        p.get_by_role("button", name="투표하기").click()
        expect(p.locator("[data-delib-ballot] [data-delib-status]")).to_contain_text("투표했습니다")
    # A changed ballot replaces the old one.
    pb = panel(b)
    pb.get_by_label("자매도시 청년 교류 프로그램").select_option(label="순위 없음")
    pb.get_by_label("청년 해외 인턴십 확대").select_option(label="1위")
    pb.get_by_role("button", name="다시 투표하기").click()
    expect(pb.locator("[data-delib-ballot] [data-delib-status]")).to_contain_text("투표했습니다")
    results = panel(projector).locator("[data-delib-results]").first
    expect(results).to_contain_text("투표 3명")
    expect(results.locator(".delib-result").first).to_contain_text("청년 해외 인턴십 확대")
    expect(results.locator(".delib-result").first).to_contain_text("6점")
    shot(c, "deliberation-4-vote-phone")
    axe_check(c, "room in the vote")
    assert Ballot.objects.filter(session=session).count() == 3

    # A live poll in the middle of it: bars move on every page.
    poll_form = c_panel.locator("[data-delib-poll-form]")
    poll_form.get_by_label("질문", exact=True).fill("오늘 숙의는 유익했나요?")
    poll_form.get_by_label("선택지(한 줄에 하나)").fill("예\n아니오")
    poll_form.get_by_role("button", name="여론조사 시작").click()
    for page, answer in ((a, "예"), (b, "예"), (c, "아니오")):
        poll = panel(page).locator(".delib-poll", has_text="오늘 숙의는 유익했나요?")
        poll.get_by_label(answer, exact=True).check()
        poll.get_by_role("button", name="응답하기").click()
        expect(poll.locator(".delib-form__status")).to_have_text("응답했습니다.")
    for page in (projector, console, a):
        poll = panel(page).locator(".delib-poll", has_text="오늘 숙의는 유익했나요?")
        expect(poll.locator("[data-poll-voters]")).to_have_text("응답 3명")
        expect(poll.locator("li", has_text="예")).to_contain_text("2 (67%)")
    shot(a, "deliberation-5-poll-phone")
    shot(projector, "deliberation-5-poll-projector")
    axe_check(projector, "projector with a live poll")
    c_panel.locator(".delib-poll").get_by_role("button", name="여론조사 마감").click()
    expect(panel(a).locator(".delib-poll")).to_contain_text("마감")

    # 5. 정리: the vote closes with its phase; the conclusion reaches everyone.
    c_panel.get_by_role("button", name="다음 단계").click()
    for page in everyone:
        phase_is(page, "정리")
    wrap = c_panel.locator("[data-delib-wrapup-form]")
    wrap.get_by_label("결론 쓰기").fill("청년 해외 인턴십 확대를 외교부에 건의합니다.")
    wrap.get_by_role("button", name="결론 저장").click()
    for page in (a, b, c, projector):
        expect(panel(page).locator("[data-delib-conclusion]")).to_contain_text(
            "청년 해외 인턴십 확대를 외교부에 건의합니다."
        )
    shot(b, "deliberation-6-wrapup-phone")

    # The close freezes the results.
    console.get_by_role("button", name="회의 종료").click()
    for page in (a, projector):
        final = panel(page).locator("[data-delib-final]")
        expect(final).to_contain_text("청년 해외 인턴십 확대를 외교부에 건의합니다.")
        expect(final.locator(".delib-result").first).to_contain_text("청년 해외 인턴십 확대")
        expect(final).to_contain_text("응답 3명")
    shot(a, "deliberation-7-closed-phone")
    expect(panel(a).locator("[data-delib-now]")).to_be_hidden()
    expect(panel(a).locator(".delib-step.is-running")).to_have_count(0)
    axe_check(a, "room after the close")
    frozen = FrozenResults.objects.get(session=session).data
    assert frozen["vote"]["results"][0]["title"] == "청년 해외 인턴십 확대"
    assert frozen["vote"]["results"][0]["score"] == 6
    assert frozen["stances"] == {"for": 2, "against": 1, "neutral": 0, "question": 1}
    assert Proposal.objects.filter(session=session, status="merged").count() == 1
    for page in everyone:
        assert page.madang_errors == [], page.madang_errors
