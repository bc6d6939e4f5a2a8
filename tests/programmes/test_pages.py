"""What staff see: similar programmes, the duplicate view and its marks, plans with their
progress, the municipality profile, similar past agendas, and the demo registry."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from deliberation.agendas.models import Agenda
from deliberation.people.models import MunicipalityProfile
from deliberation.programmes import selectors
from deliberation.programmes.models import (
    AnnualPlan,
    FriendlyCityDesignation,
    OverlapMark,
    Programme,
    ProgrammeKind,
)
from tests import factories
from tests.programmes.conftest import ProgrammeFactory
from tests.programmes.fixture import PROGRAMMES


@pytest.fixture
def fixture_registry(world: dict[str, Any]) -> dict[str, Programme]:
    """The hand-made fixture, each organisation mapped onto the test world."""
    orgs = {
        "부산광역시": "busan",
        "전북특별자치도": "jeonbuk",
        "외교부": "mofa",
        "경상북도": "haeundae",
    }
    return {
        key: ProgrammeFactory(organisation=world[orgs[org]], title=title, description=desc)
        for key, org, title, desc in PROGRAMMES
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_programme_page_shows_similar_programmes_elsewhere_with_their_reasons(
    world: dict[str, Any], fixture_registry: dict[str, Programme]
) -> None:
    festival = fixture_registry["mofa-festival"]
    text = _client(world["jeonbuk_host"]).get(f"/programmes/{festival.pk}/").content.decode()
    similar = text.split("다른 기관의 비슷한 사업")[1]
    first_offer = similar.split('<div class="pg-match-head">')[1]
    assert "K-컬처 페스티발 개최 사업" in first_offer
    assert "페스티벌 ≈ 페스티발" in similar
    assert '<span class="pg-term">컬처</span>' in similar
    # Only other organisations' programmes are offered, never the ministry's own.
    assert "워킹홀리데이 안전 설명회" not in similar


def test_the_duplicate_view_lists_pairs_across_organisations_and_keeps_marks(
    world: dict[str, Any], fixture_registry: dict[str, Programme]
) -> None:
    staff = world["ministry_internal"]
    client = _client(staff)
    text = client.get("/programmes/duplicates/").content.decode()
    assert "4쌍" in text
    for a, b in [("busan-youth-jobs", "jeonbuk-youth-jobs"), ("mofa-holiday", "busan-holiday")]:
        assert fixture_registry[a].title in text and fixture_registry[b].title in text
    assert "지역 농가 판로 지원 사업" not in text

    first, second = fixture_registry["mofa-holiday"], fixture_registry["busan-holiday"]
    response = client.post(
        "/programmes/duplicates/mark/",
        {
            "first": second.pk,
            "second": first.pk,
            "score": "0.31",
            "verdict": "duplicate",
            "note": "부산시 설명회로 통합 검토",
            "next": "/programmes/duplicates/",
        },
    )
    assert response.status_code == 302
    mark = OverlapMark.objects.get()
    assert (mark.first_id, mark.second_id) == tuple(sorted([first.pk, second.pk]))
    assert mark.verdict == "duplicate" and mark.marked_by == staff

    client.post(
        "/programmes/duplicates/mark/",
        {"first": first.pk, "second": second.pk, "verdict": "related", "note": "연계"},
    )
    assert OverlapMark.objects.get().verdict == "related"  # the last verdict holds, one row

    marked = client.get("/programmes/duplicates/?verdict=related").content.decode()
    assert "1쌍" in marked and "워킹홀리데이 안전 설명회" in marked
    unmarked = client.get("/programmes/duplicates/?verdict=unmarked").content.decode()
    assert "3쌍" in unmarked and "워킹홀리데이 안전 설명회" not in unmarked

    sheet = load_workbook(
        io.BytesIO(client.get("/programmes/duplicates/marks.xlsx").content)
    ).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][7] == "판정" and len(rows) == 2
    assert "연계 가능" in rows[1] and "연계" in rows[1]


def test_duplicate_filters_by_type_region_and_stage(
    world: dict[str, Any], fixture_registry: dict[str, Programme]
) -> None:
    contest = ProgrammeKind.objects.get(slug="policy-contest")
    Programme.objects.filter(pk=fixture_registry["jeonbuk-contest"].pk).update(
        kind=contest, stage="advanced"
    )
    client = _client(world["ministry_internal"])
    by_kind = client.get("/programmes/duplicates/?kind=policy-contest").content.decode()
    assert "1쌍" in by_kind and "국민외교 정책 제안 공모전" in by_kind
    by_stage = client.get("/programmes/duplicates/?stage=advanced").content.decode()
    assert "1쌍" in by_stage
    region = client.get(f"/programmes/duplicates/?region={world['jeonbuk'].pk}").content.decode()
    assert "2쌍" in region and "워킹홀리데이" not in region


def test_a_mark_is_refused_to_facilitators(
    world: dict[str, Any], fixture_registry: dict[str, Programme]
) -> None:
    a, b = fixture_registry["mofa-holiday"], fixture_registry["busan-holiday"]
    response = _client(world["busan_host"]).post(
        "/programmes/duplicates/mark/", {"first": a.pk, "second": b.pk, "verdict": "duplicate"}
    )
    assert response.status_code == 404 and not OverlapMark.objects.exists()


def test_a_plan_shows_its_programmes_and_progress_per_stage(world: dict[str, Any]) -> None:
    done = ProgrammeFactory(organisation=world["busan"], stage="advanced", status="finished")
    running = ProgrammeFactory(organisation=world["busan"], stage="advanced", status="running")
    early = ProgrammeFactory(organisation=world["haeundae"], stage="preparing", status="planned")
    secret = ProgrammeFactory(
        organisation=world["busan"], disclosure="restricted", stage="advanced"
    )
    client = _client(world["busan_host"])
    response = client.post(
        "/programmes/plans/new/",
        {
            "organisation": world["busan"].pk,
            "year": 2026,
            "title": "2026 부산광역시 국민외교 시행계획",
            "disclosure": "internal",
            "programmes": [done.pk, running.pk, early.pk, secret.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = AnnualPlan.objects.get()
    assert plan.kind == AnnualPlan.Kind.IMPLEMENTATION
    progress = {s.stage: s for s in selectors.plan_view(world["busan_host"], plan).progress}
    assert progress["advanced"].total == 3 and progress["preparing"].total == 1
    view = selectors.plan_view(world["jeonbuk_host"], plan)
    assert view.hidden == 1 and progress["advanced"].finished_share == 33
    page = _client(world["jeonbuk_host"]).get(f"/programmes/plans/{plan.pk}/").content.decode()
    assert done.title in page and secret.title not in page
    assert "사업 2건 중 50% 완료" in page  # the reader's view: the restricted one is not counted
    assert "열람 권한 밖의 사업 1건은 보이지 않습니다." in page


def test_only_the_ministry_writes_the_comprehensive_plan(world: dict[str, Any]) -> None:
    refused = _client(world["jeonbuk_host"]).post(
        "/programmes/plans/new/",
        {
            "organisation": world["mofa"].pk,
            "year": 2026,
            "title": "종합계획",
            "disclosure": "public",
        },
    )
    assert refused.status_code == 200 and not AnnualPlan.objects.exists()
    made = _client(world["ministry_internal"]).post(
        "/programmes/plans/new/",
        {
            "organisation": world["mofa"].pk,
            "year": 2026,
            "title": "종합계획",
            "disclosure": "public",
        },
    )
    assert made.status_code == 302
    assert AnnualPlan.objects.get().kind == AnnualPlan.Kind.COMPREHENSIVE


def test_a_designation_is_recorded_on_the_municipality_profile(world: dict[str, Any]) -> None:
    MunicipalityProfile.objects.create(
        organisation=world["jeonbuk"],
        international_team_size=9,
        has_exchange_ordinance=True,
        exchange_partners=[{"city": "Gansu", "country": "China", "kind": "sister"}],
        cooperation_stage="pioneering",
    )
    url = f"/programmes/municipalities/{world['jeonbuk'].slug}/"
    facilitator = _client(world["jeonbuk_host"])
    assert "지정 기록하기" not in facilitator.get(url).content.decode()
    assert (
        facilitator.post(url, {"designated_on": "2026-06-01", "criteria": "조례"}).status_code
        == 404
    )

    staff = _client(world["ministry_internal"])
    bad = staff.post(
        url, {"designated_on": "2026-06-01", "valid_until": "2025-01-01", "criteria": "x"}
    )
    assert "유효 기간이 지정일보다 빠릅니다." in bad.content.decode()
    response = staff.post(
        url,
        {
            "designated_on": "2026-06-01",
            "valid_until": "2029-05-31",
            "criteria": "국제교류 조례 제정\n전담 조직 9명",
            "consulting": "시행계획 수립 컨설팅 2회",
        },
    )
    assert response.status_code == 302
    designation = FriendlyCityDesignation.objects.get()
    assert designation.criteria == ["국제교류 조례 제정", "전담 조직 9명"]
    assert designation.designated_on == dt.date(2026, 6, 1)
    page = facilitator.get(url).content.decode()
    assert (
        "2026-06-01 지정" in page and "전담 조직 9명" in page and "시행계획 수립 컨설팅 2회" in page
    )
    assert "Gansu (China)" in page and "개척·도약기" in page
    assert MunicipalityProfile.objects.get(organisation=world["jeonbuk"]).friendly_city_designated


def test_similar_past_agendas_are_suggested_while_writing_one(world: dict[str, Any]) -> None:
    factories.AgendaFactory(
        title="인구 감소 시대, 지방대학 국제교류를 어떻게 살릴까",
        description_html="<p>지방 대학의 유학생 유치와 국제 공동 연구</p>",
        organisation=world["jeonbuk"],
    )
    factories.AgendaFactory(
        title="자매도시 교류 사업 재점검", description_html="<p>자매도시 교류 평가</p>",
        organisation=world["busan"],
    )  # fmt: skip
    factories.AgendaFactory(
        title="지방대학 유학생 비공개 검토",
        organisation=world["jeonbuk"],
        status=Agenda.Status.DRAFT,
    )
    client = _client(world["busan_host"])
    html = client.get(
        "/programmes/similar-agendas/", {"title": "지방 대학 유학생 유치, 국제교류 활성화"}
    ).content.decode()
    assert "비슷한 지난 의제" in html
    assert "인구 감소 시대, 지방대학 국제교류를 어떻게 살릴까" in html
    assert "자매도시 교류 사업 재점검" not in html
    assert "비공개 검토" not in html  # a draft is nobody's past agenda
    assert client.get("/programmes/similar-agendas/", {"title": "날씨"}).content.strip() == b""
    form = client.get("/agendas/new/").content.decode()
    assert "data-similar-agendas=" in form and "similar-agendas.js" in form


def test_the_demo_registry_has_forty_programmes_and_duplicates_to_review(db: Any) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    assert Programme.objects.count() >= 40
    assert Programme.objects.filter(organisation__slug="mofa").count() >= 10
    assert Programme.objects.exclude(organisation__slug="mofa").count() >= 25
    from deliberation.people.models import User

    director = User.objects.get(username="mofa_director")
    pairs = selectors.duplicate_pairs(director, selectors.PairFilters())
    titles = {(r.first.title, r.second.title) for r in pairs}
    assert ("국민외교 K-컬처 페스티벌", "전주 K-컬처 페스티발") in titles
    assert len(pairs) >= 8
    assert AnnualPlan.objects.count() == 4
    assert FriendlyCityDesignation.objects.filter(organisation__slug="busan").exists()
    client = _client(director)
    assert "유사·중복 사업" in client.get("/programmes/duplicates/").content.decode()


def test_a_facilitator_registers_a_programme_linked_to_an_agenda_and_a_session(
    world: dict[str, Any],
) -> None:
    session = factories.SessionFactory(
        agenda__organisation=world["busan"], agenda__title="부산 청년 해외 일자리 공론장"
    )
    other = factories.SessionFactory(agenda__organisation=world["jeonbuk"])
    client = _client(world["busan_host"])
    form = client.get("/programmes/new/").content.decode()
    assert session.title in form and other.title not in form
    response = client.post(
        "/programmes/new/",
        {
            "organisation": world["busan"].pk,
            "kind": ProgrammeKind.objects.get(slug="youth-jobs").pk,
            "title": "부산 청년 해외 인턴십",
            "description": "해외 기업 인턴십과 어학 연수",
            "target_groups": ["youth"],
            "partners_abroad": "호치민 한인상공회의소\n후쿠오카시",
            "budget_krw": "120000000",
            "funding": "general",
            "stage": "advanced",
            "status": "planned",
            "disclosure": "public",
            "agendas": [session.agenda.pk],
            "sessions": [session.pk, other.pk],
        },
    )
    assert response.status_code == 302
    programme = Programme.objects.get(title="부산 청년 해외 인턴십")
    assert list(programme.agendas.all()) == [session.agenda]
    assert list(programme.sessions.all()) == [session]  # another organisation's is ignored
    assert programme.partners_abroad == ["호치민 한인상공회의소", "후쿠오카시"]
    assert "인턴십" in programme.title_terms
    page = client.get(f"/programmes/{programme.pk}/").content.decode()
    assert session.title in page and "1억 2,000만 원" in page
