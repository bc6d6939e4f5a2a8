"""seed_demo builds the Korean demo once, however often it runs, and prints the logins."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client, RequestFactory

from deliberation.agendas.models import Agenda, Session
from deliberation.people.models import MunicipalityProfile, Organisation, User

pytestmark = pytest.mark.django_db

MODELS = [Organisation, MunicipalityProfile, User, Agenda, Session]
LOGINS = [
    "admin",
    "jeonbuk_facilitator",
    "gyeongbuk_facilitator",
    "busan_facilitator",
    "mofa_staff",
    "mofa_director",
    "resident_demo",
]


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_twice_gives_the_same_rows_and_prints_the_logins() -> None:
    first = _seed()
    counts = _counts()
    second = _seed()
    assert _counts() == counts
    assert counts["Organisation"] >= 1 + 17 and counts["Session"] >= 5
    for output in (first, second):
        assert "madang-demo-2026" in output
        for username in LOGINS:
            assert username in output
    for username in LOGINS:
        # Sign-in throttling (django-axes) counts every attempt against its request.
        request = RequestFactory().post("/signin/")
        assert authenticate(request, username=username, password="madang-demo-2026") is not None


def test_seed_demo_content_is_on_the_korean_home_page() -> None:
    _seed()
    assert Organisation.objects.filter(kind=Organisation.Kind.METROPOLITAN).count() == 17
    assert Organisation.objects.filter(kind=Organisation.Kind.MINISTRY).count() == 1
    assert Organisation.objects.filter(kind=Organisation.Kind.CENTRE).exists()
    html = Client().get("/").content.decode()
    assert "지역 청년 해외 일자리" in html
    assert "지방대학 국제교류" in html
    assert Session.objects.filter(state=Session.State.LIVE).exists()
    assert "자매도시 교류 사업 재점검" not in html  # internal: not for anonymous visitors
    assert "비공개 협의" not in html
    director = Client()
    director.force_login(User.objects.get(username="mofa_director"))
    assert "비공개 협의" in director.get("/").content.decode()
    staff = Client()
    staff.force_login(User.objects.get(username="mofa_staff"))
    seen_by_staff = staff.get("/").content.decode()
    assert "자매도시 교류 사업 재점검" in seen_by_staff and "비공개 협의" not in seen_by_staff
