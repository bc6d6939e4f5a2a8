"""The digest journey in real chromium, at phone width.

A facilitator generates a draft (progress streamed live), edits and approves it and
publishes it; ministry staff find it through a filter and answer one proposal; a
resident who took part sees the answer on the session page and in the header.
Waits are Playwright's expectations (conditions), never sleeps.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from deliberation.agendas.models import Session
from deliberation.digests.models import Digest
from deliberation.live.models import Participant, Statement
from deliberation.people.identity import resident_token
from deliberation.people.models import Organisation
from deliberation.structured.models import Proposal
from tests.factories import (
    FacilitatorFactory,
    MinistryStaffFactory,
    OrganisationFactory,
    ResidentFactory,
    SessionFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STATEMENTS = [
    ("for", "청년 해외 일자리 박람회를 도에서 매년 열어 주세요."),
    ("for", "해외 인턴십 지원금이 있으면 지방 청년도 도전할 수 있습니다."),
    ("against", "예산이 부족하니 기존 일자리 사업부터 점검해야 합니다."),
    ("question", "자매도시와 연계한 해외 취업 프로그램이 있나요? 연락처 010-2222-3333"),
    ("for", "<script>alert('x')</script> 지방대학과 함께 박람회를 열면 좋겠습니다."),
]


def seed() -> dict[str, Any]:
    province = OrganisationFactory(name="전북특별자치도", slug="jeonbuk-digest")
    OrganisationFactory(name="부산광역시", slug="busan-digest")
    session = SessionFactory(
        agenda__organisation=province,
        agenda__title="지역 청년 해외 일자리",
        agenda__disclosure="internal",
        title="청년 일자리 자유발언대",
        state=Session.State.CLOSED,
        starts_at=timezone.now() - dt.timedelta(hours=2),
    )
    facilitator = FacilitatorFactory(organisation=province, username="jb_facilitator")
    resident = ResidentFactory(region=province, nickname="전주청년")
    others = [ResidentFactory(region=province) for _ in range(2)]
    for person in [resident, *others]:
        Participant.objects.create(session=session, person=person)
    for i, (stance, text) in enumerate(STATEMENTS):
        Statement.objects.create(
            session=session,
            author=[resident, *others][i % 3],
            client_msg_id=f"m{i}",
            text=text,
            stance=stance,
            seq=i + 1,
        )
    proposal = Proposal.objects.create(
        session=session,
        author=resident,
        title="해외 인턴십 지원금 신설",
        body_html="<p>도 예산으로</p>",
    )
    try:  # analyse the statements now, as the worker would have
        from deliberation.analysis import api as analysis

        for statement in Statement.objects.filter(session=session):
            analysis._record_pending("statement", statement.pk)
        analysis.analysis_drain()
    except Exception:  # noqa: BLE001 - digests still build from participation alone
        pass
    ministry = MinistryStaffFactory(username="mofa_internal", clearance="internal")
    return {
        "session": session,
        "facilitator": facilitator,
        "resident": resident,
        "ministry": ministry,
        "proposal": proposal,
        "province": Organisation.objects.get(pk=province.pk),
    }


def test_digest_from_draft_to_the_residents(
    live_server_url: str, new_page: Any, axe_check: Any, shot: Any, sign_in: Any
) -> None:
    base = live_server_url
    data = seed()
    session = data["session"]

    # 1. The facilitator generates a draft and watches it build.
    fac = new_page(width=390)
    sign_in(fac, base, "jb_facilitator")
    fac.goto(f"{base}/sessions/{session.pk}/digest/")
    axe_check(fac, "digest start")
    fac.get_by_role("button", name="초안 만들기").click()
    editor = fac.locator("textarea[name=summary_text]")
    expect(editor).to_be_visible(timeout=60_000)
    expect(fac.locator("progress#dg-progress-bar")).to_have_attribute("value", "100")
    digest = Digest.objects.get(session=session)
    assert digest.generation == "done"
    expect(fac.locator(".dg-meta")).to_contain_text("전북특별자치도")
    assert not fac.locator("script:has-text('alert')").count()
    shot(fac, "digests-1-draft-390")
    axe_check(fac, "digest draft")

    # 2. Edits, annotates, approves and publishes.
    editor.fill(
        "청년 해외 일자리 박람회와 인턴십 지원을 바라는 의견이 많았습니다. 연락처 010-1111-2222"
    )
    fac.locator("textarea[name=note_participation]").fill("전주 청년들이 가장 많이 참여했습니다.")
    fac.get_by_role("button", name="저장").click()
    expect(fac.locator(".dg-summary")).to_contain_text("인턴십 지원을 바라는")
    expect(fac.locator(".dg-summary")).not_to_contain_text("010-1111-2222")
    expect(fac.locator(".dg-note")).to_contain_text("전주 청년들이")
    fac.get_by_role("button", name="승인").click()
    expect(fac.get_by_test_id("digest-status")).to_have_text("승인됨")
    fac.get_by_role("button", name="외교부에 전달").click()
    expect(fac.get_by_test_id("digest-status")).to_have_text("외교부 전달됨")
    shot(fac, "digests-2-published-390")
    axe_check(fac, "digest published")

    # 3. Ministry staff find it through the municipality filter and answer a proposal.
    mofa = new_page(width=390)
    sign_in(mofa, base, "mofa_internal")
    mofa.goto(f"{base}/ministry/digests/")
    mofa.get_by_label("지자체").select_option(label="전북특별자치도")
    mofa.get_by_label("검색어").fill("일자리를")
    mofa.get_by_role("button", name="찾기").click()
    result = mofa.get_by_role("link", name=digest.title)
    expect(result).to_be_visible()
    shot(mofa, "digests-3-inbox-390")
    axe_check(mofa, "ministry inbox")
    result.click()
    mofa.get_by_label("답변 대상").select_option(label=f"제안: {data['proposal'].title}")
    mofa.get_by_label("반영", exact=True).check()
    mofa.get_by_label("답변 내용").fill(
        "내년 국민외교 사업 예산에 해외 인턴십 지원을 반영했습니다."
    )
    mofa.get_by_role("button", name="답변 등록").last.click()
    expect(mofa.locator("#answers")).to_contain_text("내년 국민외교 사업 예산에")
    shot(mofa, "digests-4-answered-390")
    axe_check(mofa, "ministry answer")
    mofa.goto(f"{base}/ministry/trends/")
    expect(mofa.locator("svg.dg-trend-svg")).to_be_visible()
    shot(mofa, "digests-5-trends-390")
    axe_check(mofa, "trends")
    mofa.goto(f"{base}/ministry/municipalities/")
    expect(mofa.locator("table")).to_contain_text("전북특별자치도")
    axe_check(mofa, "municipalities")

    # 4. The resident who took part sees the answer and a notification.
    res = new_page(width=390)
    res.context.add_cookies(
        [
            {
                "name": settings.RESIDENT_COOKIE_NAME,
                "value": resident_token(data["resident"]),
                "url": base,
            }
        ]
    )
    res.goto(f"{base}/sessions/{session.pk}/")
    answers = res.locator(".dg-session-answers")
    expect(answers).to_contain_text("내년 국민외교 사업 예산에")
    expect(answers).to_contain_text("반영")
    expect(res.get_by_test_id("notifications-link")).to_contain_text("1")
    shot(res, "digests-6-resident-session-390")
    axe_check(res, "session answers")
    res.get_by_test_id("notifications-link").click()
    expect(res.locator(".dg-notifications")).to_contain_text("외교부가 답변했습니다")
    shot(res, "digests-7-notifications-390")
    res.reload()
    expect(res.get_by_test_id("notifications-link")).not_to_contain_text("새 알림")
    for page in (fac, mofa, res):
        assert page.madang_errors == []


def test_console_live_digest_panel_follows_the_room(
    live_server_url: str, new_page: Any, axe_check: Any, shot: Any, sign_in: Any
) -> None:
    base = live_server_url
    province = OrganisationFactory(name="경상북도", slug="gyeongbuk-digest")
    session = SessionFactory(
        agenda__organisation=province,
        agenda__title="자매도시 교류",
        title="교류 간담회",
        state=Session.State.LIVE,
    )
    FacilitatorFactory(organisation=province, username="gb_facilitator")
    resident = ResidentFactory(region=province, nickname="안동주민")

    console = new_page(width=1280, height=900)
    sign_in(console, base, "gb_facilitator")
    console.goto(f"{base}/sessions/{session.pk}/console/")
    panel = console.locator("[data-digest-live]")
    expect(panel).to_contain_text("발언 0", timeout=20_000)

    room = new_page(width=390)
    room.context.add_cookies(
        [{"name": settings.RESIDENT_COOKIE_NAME, "value": resident_token(resident), "url": base}]
    )
    room.goto(f"{base}/sessions/{session.pk}/room/")
    for text in ("자매도시 청소년 교류를 늘려 주세요.", "교류 예산을 공개해 주세요."):
        room.get_by_label("의견 쓰기").fill(text)
        room.get_by_role("button", name="보내기").click()
        expect(room.locator("[data-side-list]")).to_contain_text(text, timeout=20_000)
    # The statements reach the panel without a reload: first as waiting for analysis
    # (or already analysed), then analysed, once the analysis worker has caught up.
    expect(panel).to_contain_text(re.compile(r"발언 2|분석 대기 [12]"), timeout=20_000)
    expect(panel).to_contain_text("발언 2", timeout=120_000)
    shot(console, "digests-8-console-live-panel-1280")
    axe_check(console, "console with digest panel")
    assert console.madang_errors == []
