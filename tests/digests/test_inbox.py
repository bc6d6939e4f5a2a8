"""The ministry inbox: filters, Korean search, keyword trends, municipality overview, API paging."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from deliberation.digests import selectors
from deliberation.digests.models import Digest
from deliberation.people.models import MunicipalityProfile

from .conftest import SAMPLE_CONTENT

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def content_with(*terms: str, line: str) -> dict[str, Any]:
    content = copy.deepcopy(SAMPLE_CONTENT)
    content["keywords"] = [
        {"term": t, "score": 2.0 - i * 0.1, "count": 3, "statement_ids": [1]}
        for i, t in enumerate(terms)
    ]
    content["key_statements"][0]["lines"][0]["text"] = line
    content.update(
        agenda_title="", title="", proposals=[], conclusion=None, period_start=None, period_end=None
    )
    return content


@pytest.fixture
def corpus(make_digest: Any, organisation_factory: Any, session_factory: Any) -> dict[str, Any]:
    jeonbuk = organisation_factory(name="전북특별자치도")
    jeonju = organisation_factory(name="전주시", kind="local", parent=jeonbuk)
    busan = organisation_factory(name="부산광역시")
    MunicipalityProfile.objects.create(
        organisation=busan,
        exchange_partners=[
            {"city": "Fukuoka", "country": "Japan", "kind": "sister"},
            {"city": "Ho Chi Minh", "country": "Vietnam", "kind": "friendship"},
        ],
        international_team_size=7,
        has_exchange_ordinance=True,
        friendly_city_designated=True,
        cooperation_stage="advanced",
    )
    october = timezone.make_aware(dt.datetime(2026, 10, 15, 14, 0))
    november = timezone.make_aware(dt.datetime(2026, 11, 12, 14, 0))

    def make(org: Any, when: Any, topic: str, disclosure: str, content: dict[str, Any]) -> Digest:
        session = session_factory(
            agenda__organisation=org,
            agenda__topic=topic,
            agenda__disclosure=disclosure,
            agenda__title=f"{org.name} 의제",
            title="1회차",
            starts_at=when,
        )
        return make_digest(session=session, content=content)

    return {
        "jobs": make(
            jeonju,
            october,
            "youth_jobs",
            "public",
            content_with("청년", "일자리", line="청년 일자리를 위해 해외 인턴십을 늘려 주세요."),
        ),
        "univ": make(
            jeonbuk,
            november,
            "university_exchange",
            "internal",
            content_with("유학생", "청년", line="지방대학 유학생 기숙사가 부족합니다."),
        ),
        "port": make(
            busan,
            november,
            "trade",
            "restricted",
            content_with("수출", "항만", line="부산항 물류 수출 지원이 필요합니다."),
        ),
        "jeonbuk": jeonbuk,
        "busan": busan,
    }


def titles(user: Any, **params: Any) -> set[int]:
    f = selectors.InboxFilter.from_params(params)
    return {d.pk for d in selectors.published_digests_qs(user, f)}


def test_filters(corpus: dict[str, Any], ministry_staff_factory: Any) -> None:
    director = ministry_staff_factory(clearance="restricted")
    jobs, univ, port = corpus["jobs"].pk, corpus["univ"].pk, corpus["port"].pk
    assert titles(director) == {jobs, univ, port}
    # A 광역 includes its 시·군·구.
    assert titles(director, municipality=str(corpus["jeonbuk"].pk)) == {jobs, univ}
    assert titles(director, topic="trade") == {port}
    assert titles(director, disclosure="internal") == {univ}
    assert titles(director, since="2026-11-01") == {univ, port}
    assert titles(director, until="2026-10-31") == {jobs}
    # Unreadable values are ignored rather than failing.
    assert titles(director, since="어제", municipality="x", topic="<b>") == {jobs, univ, port}


def test_korean_search_finds_words_with_particles(
    corpus: dict[str, Any], ministry_staff_factory: Any
) -> None:
    director = ministry_staff_factory(clearance="restricted")
    assert titles(director, q="일자리를") == {corpus["jobs"].pk}
    assert titles(director, q="청년") == {corpus["jobs"].pk, corpus["univ"].pk}
    assert titles(director, q="유학생의 기숙사") == {corpus["univ"].pk}
    assert titles(director, q="항만") == {corpus["port"].pk}
    assert titles(director, q="없는말") == set()


def test_search_never_reveals_what_clearance_hides(
    corpus: dict[str, Any], ministry_staff_factory: Any
) -> None:
    staff = ministry_staff_factory(clearance="public")
    assert titles(staff, q="항만") == set()
    assert titles(staff, q="청년") == {corpus["jobs"].pk}


def test_trends_by_month_across_municipalities(
    corpus: dict[str, Any], ministry_staff_factory: Any
) -> None:
    director = ministry_staff_factory(clearance="restricted")
    trends = selectors.keyword_trends(director, selectors.InboxFilter())
    assert trends.periods == ["2026-10", "2026-11"]
    assert trends.keywords[0] == "청년"
    assert trends.rows["청년"][0] > 0 and trends.rows["청년"][1] > 0
    assert trends.municipalities["청년"] == ["전북특별자치도", "전주시"]
    internal = selectors.keyword_trends(
        ministry_staff_factory(clearance="public"), selectors.InboxFilter()
    )
    assert "수출" not in internal.keywords and "유학생" not in internal.keywords


def test_inbox_trends_and_overview_pages(
    corpus: dict[str, Any], ministry_staff_factory: Any, client: Any
) -> None:
    client.force_login(ministry_staff_factory(clearance="internal"))
    inbox = client.get(reverse("digests:inbox"), {"q": "청년"}).content.decode()
    assert corpus["jobs"].title in inbox and corpus["port"].title not in inbox
    trends = client.get(reverse("digests:trends")).content.decode()
    assert "<svg" in trends and "<polyline" in trends and "청년" in trends
    overview = client.get(reverse("digests:municipalities")).content.decode()
    assert "Fukuoka" in overview and "Ho Chi Minh" in overview
    rows = {
        r.organisation.name: r
        for r in selectors.municipality_overview(ministry_staff_factory(clearance="restricted"))
    }
    busan = rows["부산광역시"]
    assert busan.profile.international_team_size == 7 and len(busan.partners) == 2
    assert busan.digests == 1 and busan.participants == 12
    public_rows = {
        r.organisation.name: r
        for r in selectors.municipality_overview(ministry_staff_factory(clearance="public"))
    }
    assert public_rows["부산광역시"].digests == 0  # its digest is restricted


def test_api_pagination_is_clamped(
    corpus: dict[str, Any], ministry_staff_factory: Any, client: Any
) -> None:
    client.force_login(ministry_staff_factory(clearance="restricted"))
    url = reverse("api:digest_list")
    for params, size, page in (
        ({"page_size": "1"}, 1, 1),
        ({"page_size": "0"}, 1, 1),
        ({"page_size": "100000"}, 100, 1),
        ({"page_size": "1", "page": "99999999999999999999"}, 1, 3),
    ):
        data = client.get(url, params).json()
        assert data["page_size"] == size and data["page"] == page and data["count"] == 3
    refused = client.get(url, {"page_size": "x", "page": "-5"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid"
    data = client.get(url, {"page_size": 2, "page": 2}).json()
    assert len(data["results"]) == 1 and data["pages"] == 2
