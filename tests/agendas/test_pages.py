"""The agenda and session pages as people see them: visibility, forms, transitions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from deliberation.agendas.models import Agenda, Disclosure, Session, Topic
from deliberation.people.models import Organisation, User
from tests.factories import AgendaFactory, OrganisationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def region() -> Organisation:
    return OrganisationFactory(name="전북특별자치도", kind=Organisation.Kind.METROPOLITAN)


@pytest.fixture
def host(region: Organisation) -> User:
    return UserFactory(role=User.Role.FACILITATOR, organisation=region, nickname="전북 진행자")


def test_home_lists_live_and_upcoming_sessions_of_public_agendas_only(region: Organisation) -> None:
    public = AgendaFactory(organisation=region, title="청년 해외 일자리")
    SessionFactory(agenda=public, title="지금 열린 자유발언대", state=Session.State.LIVE)
    SessionFactory(agenda=public, title="다음 주 숙의", kind=Session.Kind.DELIBERATION)
    hidden = AgendaFactory(organisation=region, disclosure=Disclosure.RESTRICTED)
    SessionFactory(agenda=hidden, title="비밀 회의", state=Session.State.LIVE)
    html = _client().get("/").content.decode()
    assert "지금 열린 자유발언대" in html
    assert "다음 주 숙의" in html
    assert "비밀 회의" not in html
    assert html.index("지금 열린 자유발언대") < html.index("다음 주 숙의")


def test_home_filters_by_municipality_and_topic(region: Organisation) -> None:
    city = OrganisationFactory(kind=Organisation.Kind.LOCAL, parent=region, name="전주시")
    elsewhere = OrganisationFactory(name="부산광역시")
    SessionFactory(agenda=AgendaFactory(organisation=city, topic=Topic.TRADE), title="전주 통상")
    SessionFactory(
        agenda=AgendaFactory(organisation=region, topic=Topic.YOUTH_JOBS), title="전북 일자리"
    )
    SessionFactory(agenda=AgendaFactory(organisation=elsewhere), title="부산 회의")
    by_region = _client().get("/", {"organisation": region.pk}).content.decode()
    assert "전주 통상" in by_region and "전북 일자리" in by_region
    assert "부산 회의" not in by_region
    by_topic = _client().get("/", {"organisation": region.pk, "topic": "trade"}).content.decode()
    assert "전주 통상" in by_topic and "전북 일자리" not in by_topic


@pytest.mark.parametrize("page", ["0", "-5", "abc", "99999999999999999999999", "1e9", "", "２"])
def test_absurd_page_numbers_land_on_a_real_page(region: Organisation, page: str) -> None:
    AgendaFactory.create_batch(25, organisation=region)
    response = _client().get("/", {"page": page, "organisation": "not-a-number"})
    assert response.status_code == 200
    assert "의제 둘러보기" in response.content.decode()


def test_restricted_agenda_and_its_sessions_are_404_to_outsiders(
    region: Organisation, host: User
) -> None:
    agenda = AgendaFactory(organisation=region, disclosure=Disclosure.RESTRICTED, title="비공개")
    session = SessionFactory(agenda=agenda)
    outsider = UserFactory(role=User.Role.RESIDENT, region=OrganisationFactory())
    other_host = UserFactory(role=User.Role.FACILITATOR, organisation=OrganisationFactory())
    for who in (None, outsider, other_host):
        client = _client(who)
        for url in (
            f"/agendas/{agenda.pk}/",
            f"/sessions/{session.pk}/",
            f"/agendas/{agenda.pk}/edit/",
            f"/agendas/{agenda.pk}/sessions/new/",
            f"/sessions/{session.pk}/edit/",
        ):
            assert client.get(url).status_code == 404, (who, url)
        assert (
            client.post(f"/sessions/{session.pk}/transition/", {"to_state": "live"}).status_code
            == 404
        )
    invitee = UserFactory(role=User.Role.RESIDENT, region=OrganisationFactory())
    agenda.invitees.add(invitee)
    assert _client(invitee).get(f"/sessions/{session.pk}/").status_code == 200
    assert _client(host).get(f"/agendas/{agenda.pk}/").status_code == 200
    session.refresh_from_db()
    assert session.state == Session.State.SCHEDULED


def test_editing_pages_are_404_to_those_who_may_only_look(region: Organisation) -> None:
    agenda = AgendaFactory(organisation=region)
    session = SessionFactory(agenda=agenda)
    resident = UserFactory(role=User.Role.RESIDENT, region=region)
    client = _client(resident)
    assert client.get(f"/agendas/{agenda.pk}/").status_code == 200
    for url in (
        f"/agendas/{agenda.pk}/edit/",
        f"/agendas/{agenda.pk}/sessions/new/",
        f"/sessions/{session.pk}/edit/",
        "/agendas/new/",
        "/my/organisation/",
    ):
        assert client.get(url).status_code == 404, url
    anonymous = _client().get("/agendas/new/")
    assert anonymous.status_code == 302 and "/signin/" in anonymous["Location"]


def test_facilitator_creates_an_agenda_with_a_hostile_description(
    region: Organisation, host: User
) -> None:
    client = _client(host)
    response = client.post(
        "/agendas/new/",
        {
            "organisation": region.pk,
            "title": "  지방대학 국제교류\u202e  ",
            "description": '<p onclick="x()">설명</p><script>alert(1)</script>'
            '<a href="javascript:alert(1)">링크</a> https://mofa.go.kr',
            "topic": Topic.UNIVERSITY_EXCHANGE,
            "disclosure": Disclosure.PUBLIC,
            "status": Agenda.Status.OPEN,
        },
    )
    agenda = Agenda.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/agendas/{agenda.pk}/"
    assert agenda.title == "지방대학 국제교류"
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in page and "onclick" not in page and "javascript:" not in page
    assert 'href="https://mofa.go.kr" rel="nofollow noopener"' in page


def test_facilitator_cannot_create_for_another_organisation(
    region: Organisation, host: User
) -> None:
    other = OrganisationFactory()
    response = _client(host).post(
        "/agendas/new/",
        {
            "organisation": other.pk,
            "title": "남의 의제",
            "topic": "other",
            "disclosure": "public",
            "status": "open",
        },
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not Agenda.objects.exists()


def test_facilitator_edits_an_agenda_and_schedules_and_edits_a_session(
    region: Organisation, host: User
) -> None:
    agenda = AgendaFactory(organisation=region)
    client = _client(host)
    edit = client.get(f"/agendas/{agenda.pk}/edit/")
    assert edit.status_code == 200 and agenda.title in edit.content.decode()
    client.post(
        f"/agendas/{agenda.pk}/edit/",
        {
            "organisation": region.pk,
            "title": "바뀐 제목",
            "description": "<p>새 설명</p>",
            "topic": "trade",
            "disclosure": "internal",
            "status": "open",
        },
    )
    agenda.refresh_from_db()
    assert (agenda.title, agenda.topic, agenda.disclosure) == ("바뀐 제목", "trade", "internal")

    response = client.post(
        f"/agendas/{agenda.pk}/sessions/new/",
        {
            "title": "1차 숙의",
            "kind": "deliberation",
            "starts_at": "2030-03-02T14:00",
            "ends_at": "2030-03-02T16:00",
            "venue": "전북대학교",
            "turn_seconds": "90",
        },
    )
    session = Session.objects.get()
    assert response["Location"] == f"/sessions/{session.pk}/"
    # Typed as Korean time, stored as the same instant.
    assert session.starts_at == dt.datetime(2030, 3, 2, 5, 0, tzinfo=dt.UTC)
    assert session.turn_seconds == 90
    form = client.get(f"/sessions/{session.pk}/edit/").content.decode()
    assert 'value="2030-03-02T14:00"' in form
    bad = client.post(
        f"/sessions/{session.pk}/edit/",
        {
            "title": "1차 숙의",
            "kind": "deliberation",
            "starts_at": "2030-03-02T14:00",
            "ends_at": "2030-03-02T13:00",
            "turn_seconds": "90",
        },
    )
    assert bad.status_code == 200 and "ends_at" in bad.context["form"].errors
    session.refresh_from_db()
    assert session.ends_at == dt.datetime(2030, 3, 2, 7, 0, tzinfo=dt.UTC)


def test_session_page_before_live_shows_schedule_join_link_and_qr(region: Organisation) -> None:
    session = SessionFactory(
        agenda=AgendaFactory(organisation=region),
        venue="전북 국민외교센터",
        starts_at=dt.datetime(2030, 5, 1, 1, 30, tzinfo=dt.UTC),
    )
    html = _client().get(f"/sessions/{session.pk}/").content.decode()
    assert "2030-05-01" in html and "10:30" in html  # Asia/Seoul
    assert "전북 국민외교센터" in html
    assert f"http://testserver/j/{session.join_code}/" in html
    assert "<svg" in html and 'aria-label="참여 링크 QR 코드"' in html
    assert f"/sessions/{session.pk}/room/" not in html


def test_live_session_page_leads_into_the_room(region: Organisation) -> None:
    session = SessionFactory(agenda=AgendaFactory(organisation=region), state=Session.State.LIVE)
    anonymous = _client().get(f"/sessions/{session.pk}/").content.decode()
    assert f"/join/?next=/sessions/{session.pk}/room/" in anonymous.replace("%2F", "/")
    resident = UserFactory(role=User.Role.RESIDENT, region=region)
    html = _client(resident).get(f"/sessions/{session.pk}/").content.decode()
    assert f'href="/sessions/{session.pk}/room/"' in html


def _buttons(html: str) -> set[str]:
    return set(re.findall(r'name="to_state" value="(\w+)"', html))


@pytest.mark.parametrize(
    ("state", "offered"),
    [
        ("scheduled", {"live", "closed"}),
        ("live", {"paused", "closed"}),
        ("paused", {"live", "closed"}),
        ("closed", {"live", "archived"}),  # reopen: just closed, within the window
        ("archived", set()),
    ],
)
def test_session_page_offers_exactly_the_allowed_transitions(
    region: Organisation, host: User, state: str, offered: set[str]
) -> None:
    session = SessionFactory(agenda=AgendaFactory(organisation=region), state=state)
    assert _buttons(_client(host).get(f"/sessions/{session.pk}/").content.decode()) == offered
    assert _buttons(_client().get(f"/sessions/{session.pk}/").content.decode()) == set()


def test_transition_buttons_move_the_session_and_refuse_the_rest(
    region: Organisation, host: User
) -> None:
    session = SessionFactory(agenda=AgendaFactory(organisation=region))
    client = _client(host)
    url = f"/sessions/{session.pk}/transition/"
    assert client.get(url).status_code == 405
    assert client.post(url, {"to_state": "live"}).status_code == 302
    session.refresh_from_db()
    assert session.state == "live"
    refused = client.post(url, {"to_state": "archived"}, follow=True)
    session.refresh_from_db()
    assert session.state == "live"
    assert "바꿀 수 없습니다" in refused.content.decode()
    junk = client.post(url, {"to_state": "<b>nope</b>"}, follow=True)
    assert "알 수 없는 상태" in junk.content.decode()
    assert list(session.transitions.values_list("from_state", "to_state")) == [
        ("scheduled", "live")
    ]


def test_dashboard_lists_the_organisations_agendas_and_sessions(
    region: Organisation, host: User
) -> None:
    mine = AgendaFactory(organisation=region, title="우리 의제", status=Agenda.Status.DRAFT)
    SessionFactory(agenda=mine, title="우리 회의")
    city = OrganisationFactory(kind=Organisation.Kind.LOCAL, parent=region)
    AgendaFactory(organisation=city, title="시·군 의제")
    AgendaFactory(organisation=OrganisationFactory(), title="남의 의제")
    html = _client(host).get("/my/organisation/", {"page": "-1"}).content.decode()
    assert "우리 의제" in html and "우리 회의" in html and "시·군 의제" in html
    assert "남의 의제" not in html
    ministry = UserFactory(role=User.Role.MINISTRY, clearance="restricted")
    assert _client(ministry).get("/my/organisation/").status_code == 404


def test_header_shows_who_is_signed_in_and_a_post_sign_out(host: User) -> None:
    html = _client(host).get("/").content.decode()
    assert "전북 진행자" in html and "진행자" in html
    assert re.search(
        r'<form method="post" action="/signout/">\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken"',
        html,
    )
    assert 'href="/my/organisation/"' in html
    anonymous = _client().get("/").content.decode()
    assert 'href="/signin/?next=/"' in anonymous.replace("%2F", "/")
    assert 'action="/i18n/setlang/"' in anonymous


def test_language_switch_turns_the_page_english() -> None:
    client = _client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html


def test_session_times_are_shown_in_seoul(region: Organisation) -> None:
    starts = timezone.make_aware(dt.datetime(2030, 1, 1, 23, 0), dt.UTC)
    session = SessionFactory(agenda=AgendaFactory(organisation=region), starts_at=starts)
    html = _client().get(f"/agendas/{session.agenda_id}/").content.decode()
    assert "2030-01-02" in html and "08:00" in html


def test_english_pages_name_organisations_in_english() -> None:
    org = OrganisationFactory(name="전북특별자치도", name_en="Jeonbuk")
    SessionFactory(agenda=AgendaFactory(organisation=org), title="열린 회의")
    client = _client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "Jeonbuk" in html and "전북특별자치도" not in html
    assert "전북특별자치도" in _client().get("/").content.decode()


def test_facilitator_invites_a_person_to_a_restricted_agenda_and_takes_it_back(
    region: Organisation, host: User
) -> None:
    agenda = AgendaFactory(organisation=region, disclosure=Disclosure.RESTRICTED, title="비공개")
    session = SessionFactory(agenda=agenda, state=Session.State.LIVE)
    guest = UserFactory(username="adviser_kim", role=User.Role.RESIDENT, nickname="김자문")
    guest_client = _client(guest)
    assert guest_client.get(f"/sessions/{session.pk}/").status_code == 404
    client = _client(host)
    url = f"/agendas/{agenda.pk}/invitees/"
    assert url in client.get(f"/agendas/{agenda.pk}/").content.decode()
    missing = client.post(url, {"username": "nobody"})
    assert "username" in missing.context["form"].errors
    client.post(url, {"username": "ADVISER_KIM"})
    assert list(agenda.invitees.all()) == [guest]
    assert "김자문" in client.get(url).content.decode()
    assert guest_client.get(f"/sessions/{session.pk}/").status_code == 200
    assert "회의실 들어가기" in guest_client.get(f"/sessions/{session.pk}/").content.decode()
    assert client.post(url, {"remove": "x1"}).status_code == 404
    client.post(url, {"remove": str(guest.pk)})
    assert not agenda.invitees.exists()
    assert guest_client.get(f"/sessions/{session.pk}/").status_code == 404
    assert _client(guest).get(url).status_code == 404
    other = UserFactory(role=User.Role.FACILITATOR, organisation=OrganisationFactory())
    assert _client(other).post(url, {"username": "adviser_kim"}).status_code == 404
    assert not agenda.invitees.exists()


def test_agenda_page_shows_the_host_municipalitys_exchange_profile() -> None:
    from deliberation.people.models import MunicipalityProfile

    region = OrganisationFactory(name="경상북도")
    MunicipalityProfile.objects.create(
        organisation=region,
        exchange_partners=[{"city": "Thai Nguyen", "country": "Vietnam", "kind": "sister"}],
        international_team_size=12,
        has_exchange_ordinance=True,
        cooperation_stage=MunicipalityProfile.Stage.PIONEERING,
    )
    centre = OrganisationFactory(kind=Organisation.Kind.CENTRE, parent=region)
    agenda = AgendaFactory(organisation=centre)
    html = _client().get(f"/agendas/{agenda.pk}/").content.decode()
    assert "경상북도의 국제교류" in html
    assert "Thai Nguyen(Vietnam, 자매)" in html and "12명" in html and "개척·도약기" in html
