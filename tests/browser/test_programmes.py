"""The programme registry in real chromium: a facilitator at phone width finds a programme
and the similar programmes of other organisations; ministry staff on a laptop review the
duplicate pairs and mark one; a facilitator writing an agenda is shown a similar past one.
Waits are Playwright's expectations (conditions), never sleeps.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from deliberation.agendas.models import Agenda
from deliberation.programmes.models import OverlapMark, Programme
from tests.factories import (
    AgendaFactory,
    FacilitatorFactory,
    MinistryFactory,
    MinistryStaffFactory,
    OrganisationFactory,
)
from tests.programmes.conftest import ProgrammeFactory, kind
from tests.programmes.fixture import PROGRAMMES

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def seed() -> dict[str, Any]:
    orgs = {
        "부산광역시": OrganisationFactory(name="부산광역시", slug="busan-pg"),
        "전북특별자치도": OrganisationFactory(name="전북특별자치도", slug="jeonbuk-pg"),
        "경상북도": OrganisationFactory(name="경상북도", slug="gyeongbuk-pg"),
        "외교부": MinistryFactory(),
    }
    contest = kind("policy-contest")
    programmes = {
        key: ProgrammeFactory(
            organisation=orgs[org],
            title=title,
            description=desc,
            kind=contest if "contest" in key else kind("participation"),
            target_groups=["youth"] if "youth" in key else ["residents"],
            budget_krw=150_000_000,
        )
        for key, org, title, desc in PROGRAMMES
    }
    FacilitatorFactory(organisation=orgs["부산광역시"], username="busan_pg")
    MinistryStaffFactory(username="mofa_pg")
    AgendaFactory(
        organisation=orgs["전북특별자치도"],
        title="인구 감소 시대, 지방대학 국제교류를 어떻게 살릴까",
        description_html="<p>지방 대학의 유학생 유치와 국제 공동 연구</p>",
        status=Agenda.Status.CLOSED,
    )
    return programmes


def test_registry_similar_programmes_and_duplicate_review(
    live_server_url: str, new_page: Any, axe_check: Any, shot: Any, sign_in: Any
) -> None:
    programmes = seed()
    base = live_server_url

    phone = new_page(width=390)
    sign_in(phone, base, "busan_pg")
    phone.get_by_role("link", name="국민외교 사업").first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("국민외교 사업")
    expect(phone.get_by_text("사업 12건")).to_be_visible()
    phone.get_by_label("사업 유형").select_option(label="국민외교 정책 제안 공모전")
    phone.get_by_role("button", name="찾기").click()
    expect(phone.get_by_text("사업 2건")).to_be_visible()
    shot(phone, "programmes-1-registry-390")
    axe_check(phone, "registry")

    phone.get_by_role("link", name="국민외교 정책 제안 공모전").click()
    similar = phone.locator(".pg-similar")
    expect(similar.get_by_role("heading")).to_have_text("다른 기관의 비슷한 사업")
    first = similar.locator("li").first
    expect(first.get_by_role("link")).to_have_text("도민 외교 정책 아이디어 공모전")
    expect(first.locator(".pg-term").first).to_be_visible()
    expect(first).to_contain_text("공모전")
    expect(first.locator(".pg-score")).to_have_text(re.compile(r"^\d+%$"))
    expect(phone.get_by_text("1억 5,000만 원")).to_be_visible()
    assert not similar.get_by_role("button").count()  # facilitators do not judge pairs
    shot(phone, "programmes-2-similar-390")
    axe_check(phone, "programme page")

    laptop = new_page(width=1280, height=900)
    sign_in(laptop, base, "mofa_pg")
    laptop.goto(f"{base}/programmes/duplicates/")
    expect(laptop.get_by_role("status").filter(has_text="쌍")).to_have_text("4쌍")
    pair = laptop.locator(".pg-pair").filter(has_text="K-컬처 페스티발 개최 사업")
    expect(pair).to_contain_text("국민외교 K-컬처 페스티벌")
    expect(pair.locator(".pg-term--variant")).to_contain_text("≈")
    shot(laptop, "programmes-3-duplicates-1280")
    axe_check(laptop, "duplicates")

    pair.get_by_label("메모").fill("경북 축제와 통합 검토")
    pair.get_by_role("button", name="중복").click()
    expect(laptop.get_by_text("판정을 저장했습니다.")).to_be_visible()
    marked = laptop.locator(".pg-pair").filter(has_text="K-컬처 페스티발 개최 사업")
    expect(marked.locator(".pg-verdict")).to_have_text("중복")
    expect(marked.get_by_label("메모")).to_have_value("경북 축제와 통합 검토")
    mark = OverlapMark.objects.get()
    assert {mark.first_id, mark.second_id} == {
        programmes["mofa-festival"].pk,
        programmes["gyeongbuk-festival"].pk,
    }
    laptop.get_by_label("판정").select_option(label="판정 전")
    laptop.get_by_role("button", name="거르기").click()
    expect(laptop.get_by_role("status").filter(has_text="쌍")).to_have_text("3쌍")
    expect(laptop.get_by_text("K-컬처 페스티발 개최 사업")).to_have_count(0)

    small = new_page(width=390)
    sign_in(small, base, "mofa_pg")
    small.goto(f"{base}/programmes/duplicates/")
    expect(small.locator(".pg-pair").first).to_be_visible()
    shot(small, "programmes-4-duplicates-390")
    axe_check(small, "duplicates at phone width")
    assert Programme.objects.count() == 12
    for page in (phone, laptop, small):
        assert page.madang_errors == []


def test_a_similar_past_agenda_is_shown_while_writing_one(
    live_server_url: str, new_page: Any, axe_check: Any, shot: Any, sign_in: Any
) -> None:
    seed()
    page = new_page(width=390)
    sign_in(page, live_server_url, "busan_pg")
    page.goto(f"{live_server_url}/agendas/new/")
    page.get_by_label("제목").fill("지방 대학 유학생 유치와 국제교류 활성화")
    panel = page.locator("[data-similar-agendas]")
    # The server analyses the agendas with the tagger; its first use starts a JVM.
    expect(panel).to_contain_text("비슷한 지난 의제", timeout=120_000)
    expect(panel.get_by_role("link")).to_have_text(
        "인구 감소 시대, 지방대학 국제교류를 어떻게 살릴까"
    )
    shot(page, "programmes-5-agenda-suggestion-390")
    axe_check(page, "agenda form with suggestions")
    assert page.madang_errors == []
