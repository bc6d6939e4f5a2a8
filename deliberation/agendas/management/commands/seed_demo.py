"""Korean demo data: the ministry, municipalities, people, agendas and sessions.

Idempotent: running it again updates the same rows and creates nothing twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from deliberation.agendas.models import Agenda, Disclosure, Session, Topic
from deliberation.common.sanitize import sanitize_rich_text
from deliberation.live.demo import seed_join_modes
from deliberation.opinions.demo import seed_opinion_demo
from deliberation.people.models import MunicipalityProfile, Organisation, User
from deliberation.people.regions import regions_load
from deliberation.programmes.demo import seed_programmes

DEMO_PASSWORD = "madang-demo-2026"  # noqa: S105 - the published demo password

METROPOLITAN = [
    ("서울특별시", "Seoul", "seoul"),
    ("부산광역시", "Busan", "busan"),
    ("대구광역시", "Daegu", "daegu"),
    ("인천광역시", "Incheon", "incheon"),
    ("광주광역시", "Gwangju", "gwangju"),
    ("대전광역시", "Daejeon", "daejeon"),
    ("울산광역시", "Ulsan", "ulsan"),
    ("세종특별자치시", "Sejong", "sejong"),
    ("경기도", "Gyeonggi", "gyeonggi"),
    ("강원특별자치도", "Gangwon", "gangwon"),
    ("충청북도", "Chungbuk", "chungbuk"),
    ("충청남도", "Chungnam", "chungnam"),
    ("전북특별자치도", "Jeonbuk", "jeonbuk"),
    ("전라남도", "Jeonnam", "jeonnam"),
    ("경상북도", "Gyeongbuk", "gyeongbuk"),
    ("경상남도", "Gyeongnam", "gyeongnam"),
    ("제주특별자치도", "Jeju", "jeju"),
]

# (slug, parent slug, name, english name)
LOCAL = [
    ("jeonju", "jeonbuk", "전주시", "Jeonju"),
    ("andong", "gyeongbuk", "안동시", "Andong"),
    ("changwon", "gyeongnam", "창원시", "Changwon"),
    ("suncheon", "jeonnam", "순천시", "Suncheon"),
]

PROFILES: dict[str, dict[str, Any]] = {
    "busan": {
        "exchange_partners": [
            {"city": "Fukuoka", "country": "Japan", "kind": "sister"},
            {"city": "Shanghai", "country": "China", "kind": "sister"},
            {"city": "Los Angeles", "country": "USA", "kind": "sister"},
            {"city": "Ho Chi Minh City", "country": "Vietnam", "kind": "sister"},
            {"city": "Barcelona", "country": "Spain", "kind": "friendship"},
        ],
        "international_team_size": 24,
        "has_exchange_ordinance": True,
        "friendly_city_designated": True,
        "cooperation_stage": MunicipalityProfile.Stage.ADVANCED,
    },
    "jeonbuk": {
        "exchange_partners": [
            {"city": "Gansu", "country": "China", "kind": "sister"},
            {"city": "Ishikawa", "country": "Japan", "kind": "friendship"},
        ],
        "international_team_size": 9,
        "has_exchange_ordinance": True,
        "friendly_city_designated": False,
        "cooperation_stage": MunicipalityProfile.Stage.PIONEERING,
    },
    "gyeongbuk": {
        "exchange_partners": [
            {"city": "Shimane", "country": "Japan", "kind": "friendship"},
            {"city": "Thai Nguyen", "country": "Vietnam", "kind": "sister"},
            {"city": "Henan", "country": "China", "kind": "sister"},
        ],
        "international_team_size": 12,
        "has_exchange_ordinance": True,
        "friendly_city_designated": True,
        "cooperation_stage": MunicipalityProfile.Stage.PIONEERING,
    },
    "jeonju": {
        "exchange_partners": [
            {"city": "Kanazawa", "country": "Japan", "kind": "sister"},
            {"city": "Suzhou", "country": "China", "kind": "friendship"},
        ],
        "international_team_size": 4,
        "has_exchange_ordinance": True,
        "friendly_city_designated": False,
        "cooperation_stage": MunicipalityProfile.Stage.PIONEERING,
    },
    "andong": {
        "exchange_partners": [
            {"city": "Kyoto-Yamashina", "country": "Japan", "kind": "friendship"}
        ],
        "international_team_size": 2,
        "has_exchange_ordinance": False,
        "friendly_city_designated": False,
        "cooperation_stage": MunicipalityProfile.Stage.PREPARING,
    },
    "changwon": {
        "exchange_partners": [
            {"city": "Detroit", "country": "USA", "kind": "sister"},
            {"city": "Izmit", "country": "Turkey", "kind": "sister"},
        ],
        "international_team_size": 6,
        "has_exchange_ordinance": True,
        "friendly_city_designated": True,
        "cooperation_stage": MunicipalityProfile.Stage.PIONEERING,
    },
    "suncheon": {
        "exchange_partners": [],
        "international_team_size": 1,
        "has_exchange_ordinance": False,
        "friendly_city_designated": False,
        "cooperation_stage": MunicipalityProfile.Stage.PREPARING,
    },
}

AGENDAS: list[dict[str, Any]] = [
    {
        "key": "youth-jobs-jeonbuk",
        "org": "jeonbuk",
        "title": "지역 청년 해외 일자리 사업, 무엇을 바꿔야 할까요?",
        "topic": Topic.YOUTH_JOBS,
        "description": (
            "<p>전북 청년의 해외 취업·창업을 돕는 <strong>지역 청년 해외 일자리 사업</strong>의 "
            "개선 방향을 함께 논의합니다.</p><ul><li>현지 정착 지원</li><li>어학·직무 교육</li>"
            "<li>귀국 후 지역 연계</li></ul><p>참고: https://www.mofa.go.kr</p>"
        ),
        "disclosure": Disclosure.PUBLIC,
        "sessions": [
            (
                "청년 해외 일자리 자유발언대",
                Session.Kind.OPEN_MIC,
                Session.State.LIVE,
                -1,
                "전북 국민외교센터",
            ),
            (
                "청년 해외 일자리 숙의 1차",
                Session.Kind.DELIBERATION,
                Session.State.SCHEDULED,
                72,
                "전북대학교",
            ),
        ],
    },
    {
        "key": "univ-exchange-gyeongbuk",
        "org": "gyeongbuk",
        "title": "인구 감소 시대, 지방대학 국제교류를 어떻게 살릴까",
        "topic": Topic.UNIVERSITY_EXCHANGE,
        "description": (
            "<p>학령인구 감소로 어려움을 겪는 지방대학이 해외 대학·자매도시와 교류해 "
            "유학생과 공동 연구를 늘리는 방안을 숙의합니다.</p>"
        ),
        "disclosure": Disclosure.PUBLIC,
        "sessions": [
            (
                "지방대학 국제교류 숙의",
                Session.Kind.DELIBERATION,
                Session.State.LIVE,
                -0.5,
                "안동대학교 국제관",
            ),
            (
                "지방대학 국제교류 자유발언대",
                Session.Kind.OPEN_MIC,
                Session.State.SCHEDULED,
                30,
                "",
            ),
        ],
    },
    {
        "key": "centre-busan",
        "org": "busan",
        "title": "부산 국민외교센터, 시민이 바라는 역할은?",
        "topic": Topic.DIPLOMACY_CENTRE,
        "description": (
            "<p>지역 국민외교센터가 시민과 외교부를 잇는 통로가 되려면 무엇이 필요할까요?</p>"
        ),
        "disclosure": Disclosure.PUBLIC,
        "sessions": [
            (
                "국민외교센터 시민 자유발언대",
                Session.Kind.OPEN_MIC,
                Session.State.SCHEDULED,
                48,
                "부산 국민외교센터",
            ),
        ],
    },
    {
        "key": "sister-cities-changwon-internal",
        "org": "changwon",
        "title": "자매도시 교류 사업 재점검 (내부 검토)",
        "topic": Topic.SISTER_CITIES,
        "description": "<p>담당 부서와 시민 자문단이 함께 보는 내부 의제입니다.</p>",
        "disclosure": Disclosure.INTERNAL,
        "sessions": [
            (
                "자매도시 교류 점검 회의",
                Session.Kind.DELIBERATION,
                Session.State.SCHEDULED,
                96,
                "창원시청",
            ),
        ],
    },
]

AGENDAS.append(
    {
        "key": "sister-city-issue-busan-restricted",
        "org": "busan",
        "title": "자매도시 현안 비공개 협의 (외교부·부산시)",
        "topic": Topic.SISTER_CITIES,
        "description": (
            "<p>외교 현안과 맞닿은 자매도시 교류 사업을 외교부와 부산시가 비공개로 "
            "협의합니다. 초대된 시민 자문위원과 비공개 등급 담당자만 볼 수 있습니다.</p>"
        ),
        "disclosure": Disclosure.RESTRICTED,
        "sessions": [
            (
                "자매도시 현안 비공개 협의",
                Session.Kind.DELIBERATION,
                Session.State.SCHEDULED,
                120,
                "부산시청",
            ),
        ],
    }
)

PEOPLE = [
    # username, role, nickname, organisation slug, clearance
    ("admin", User.Role.ADMIN, "관리자", None, User.Clearance.RESTRICTED),
    ("jeonbuk_facilitator", User.Role.FACILITATOR, "전북 진행자", "jeonbuk", User.Clearance.PUBLIC),
    (
        "gyeongbuk_facilitator",
        User.Role.FACILITATOR,
        "경북 진행자",
        "gyeongbuk",
        User.Clearance.PUBLIC,
    ),
    ("busan_facilitator", User.Role.FACILITATOR, "부산 진행자", "busan", User.Clearance.PUBLIC),
    ("mofa_staff", User.Role.MINISTRY, "외교부 정책담당", "mofa", User.Clearance.INTERNAL),
    ("mofa_director", User.Role.MINISTRY, "외교부 과장", "mofa", User.Clearance.RESTRICTED),
    ("resident_demo", User.Role.RESIDENT, "전주청년", None, User.Clearance.PUBLIC),
]


class Command(BaseCommand):
    help = "한국어 데모 데이터를 만듭니다 (여러 번 실행해도 안전합니다)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        ministry, _ = Organisation.objects.update_or_create(
            slug="mofa",
            defaults={
                "name": "외교부",
                "name_en": "Ministry of Foreign Affairs",
                "kind": Organisation.Kind.MINISTRY,
            },
        )
        orgs: dict[str, Organisation] = {"mofa": ministry}
        for name, name_en, slug in METROPOLITAN:
            orgs[slug], _ = Organisation.objects.update_or_create(
                slug=slug,
                defaults={"name": name, "name_en": name_en, "kind": Organisation.Kind.METROPOLITAN},
            )
        for slug, parent, name, name_en in LOCAL:
            orgs[slug], _ = Organisation.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "kind": Organisation.Kind.LOCAL,
                    "parent": orgs[parent],
                },
            )
        regions_load()  # every other 시·군·구, for the region list
        orgs["centre-jeonbuk"], _ = Organisation.objects.update_or_create(
            slug="centre-jeonbuk",
            defaults={
                "name": "전북 국민외교센터(전북대학교)",
                "name_en": "Jeonbuk People's Diplomacy Centre",
                "kind": Organisation.Kind.CENTRE,
                "parent": orgs["jeonbuk"],
            },
        )
        for slug, profile in PROFILES.items():
            MunicipalityProfile.objects.update_or_create(organisation=orgs[slug], defaults=profile)

        users: dict[str, User] = {}
        for username, role, nickname, org_slug, clearance in PEOPLE:
            user, created = User.objects.get_or_create(username=username)
            user.role = role
            user.nickname = nickname
            user.organisation = orgs[org_slug] if org_slug else None
            user.clearance = clearance
            user.is_staff = role == User.Role.ADMIN
            user.is_superuser = role == User.Role.ADMIN
            if role == User.Role.RESIDENT:
                user.region = orgs["jeonju"]
                user.age_band = User.AgeBand.TWENTIES
            if created or not user.has_usable_password():
                user.set_password(DEMO_PASSWORD)
            user.save()
            users[username] = user

        now = timezone.now().replace(second=0, microsecond=0)
        for spec in AGENDAS:
            agenda = Agenda.objects.filter(title=spec["title"]).first() or Agenda(
                title=spec["title"]
            )
            agenda.organisation = orgs[spec["org"]]
            agenda.topic = spec["topic"]
            agenda.description_html = sanitize_rich_text(spec["description"])
            agenda.disclosure = spec["disclosure"]
            agenda.status = Agenda.Status.OPEN
            agenda.created_by = users["admin"]
            agenda.save()
            for title, kind, state, hours, venue in spec["sessions"]:
                session = Session.objects.filter(agenda=agenda, title=title).first()
                if session is None:
                    Session.objects.create(
                        agenda=agenda,
                        title=title,
                        kind=kind,
                        state=state,
                        starts_at=now + dt.timedelta(hours=hours),
                        ends_at=now + dt.timedelta(hours=hours + 2),
                        venue=venue,
                        created_by=users["admin"],
                    )

        seed_opinion_demo()
        seed_programmes(orgs, users)
        seed_join_modes()
        self.stdout.write(self.style.SUCCESS("데모 데이터를 준비했습니다. Demo data is ready."))
        self.stdout.write("")
        self.stdout.write(f"  데모 로그인 / demo sign-in (비밀번호 / password: {DEMO_PASSWORD})")
        for username, role, nickname, _org, _clr in PEOPLE:
            self.stdout.write(f"    {username:<24} {User.Role(role).label} · {nickname}")
        self.stdout.write("  주민은 닉네임과 지역만으로 /join/ 에서 바로 참여할 수 있습니다.")
