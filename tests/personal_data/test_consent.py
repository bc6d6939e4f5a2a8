"""The privacy notice, and consent at join: required and optional apart, per version."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from deliberation.live.models import Participant
from deliberation.people.models import Organisation, User
from deliberation.personal_data.models import ConsentRecord, PersonalDataAction, PrivacyNotice
from deliberation.personal_data.selectors import notice_current
from tests.factories import (
    AdminFactory,
    OrganisationFactory,
    ResidentFactory,
    SessionFactory,
    join_consent,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def jeonju() -> Organisation:
    return OrganisationFactory(name="전주시", kind=Organisation.Kind.LOCAL)


def _join(client: Client, region: Organisation, **extra: Any) -> Any:
    return client.post("/join/", {"nickname": "전주청년", "region": region.pk, **extra})


def _new_version(admin: User, **fields: Any) -> PrivacyNotice:
    """Add a version through the back office's form, as an administrator would."""
    client = Client()
    client.force_login(admin)
    current = notice_current()
    data = {
        "effective_date": fields.pop("effective_date", timezone.localdate()).isoformat(),
        "body_ko": fields.pop("body_ko", current.body_ko + "<p>새 항목: 연락처</p>"),
        "body_en": fields.pop("body_en", current.body_en + "<p>New item: contact</p>"),
        "change_note": fields.pop("change_note", "수집 항목 추가"),
    }
    if fields.pop("asks_consent_again", True):
        data["asks_consent_again"] = "on"
    response = client.post("/admin/personal_data/privacynotice/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return PrivacyNotice.objects.order_by("-version").first()  # type: ignore[return-value]


def test_join_form_asks_required_and_optional_apart_with_their_summaries(
    jeonju: Organisation,
) -> None:
    html = Client().get("/join/").content.decode()
    assert 'name="consent-required"' in html and 'name="consent-optional"' in html
    assert "[필수] 개인정보 수집·이용에 동의합니다." in html
    assert "[선택] 연령대 수집·이용에 동의합니다." in html
    # The summary the law expects beside each: items, purpose, period, right to refuse.
    assert "마지막으로 참여한 회의 후 180일" in html
    assert "동의하지 않아도 참여에 아무런 제한이 없습니다." in html
    assert 'href="/privacy/"' in html and "1판" in html


def test_without_the_required_consent_nobody_is_created(jeonju: Organisation) -> None:
    response = _join(Client(), jeonju, **{"consent-version": "1"})
    assert response.status_code == 200
    assert "참여하려면 필수 항목에 동의해 주세요." in response.content.decode()
    assert not User.objects.exists() and not ConsentRecord.objects.exists()


def test_an_age_band_needs_the_optional_consent(jeonju: Organisation) -> None:
    response = _join(Client(), jeonju, age_band="30s", **join_consent())
    assert response.status_code == 200
    assert "연령대를 남기려면 선택 항목에 동의하거나" in response.content.decode()
    assert not User.objects.exists()


def test_join_records_both_answers_with_version_and_time(jeonju: Organisation) -> None:
    before = timezone.now()
    assert _join(Client(), jeonju, age_band="30s", **join_consent(optional=True)).status_code == 302
    user = User.objects.get(nickname="전주청년")
    assert user.age_band == "30s"
    records = {c.scope: c for c in ConsentRecord.objects.filter(user=user)}
    assert records["required"].granted and records["optional"].granted
    assert {c.notice.version for c in records.values()} == {1}
    assert all(c.at >= before and c.channel == "join" for c in records.values())

    _join(Client(), jeonju, **join_consent())
    other = User.objects.exclude(pk=user.pk).get()
    answers = dict(ConsentRecord.objects.filter(user=other).values_list("scope", "granted"))
    assert answers == {"required": True, "optional": False} and other.age_band == ""


def test_a_changed_notice_asks_again_at_the_next_join(jeonju: Organisation) -> None:
    session = SessionFactory(state="live", agenda__organisation=jeonju)
    client = Client()
    shown_v1 = join_consent()
    _join(client, jeonju, **shown_v1)
    room = f"/sessions/{session.pk}/room/"
    assert client.get(room).status_code == 200

    v2 = _new_version(AdminFactory())
    assert v2.version == 2
    # Asked again on entering a room, and the room waits until then.
    response = client.get(room)
    assert response.status_code == 302 and response["Location"].startswith("/privacy/consent/")
    page = client.get(response["Location"]).content.decode()
    assert "개인정보 처리방침이 바뀌었습니다" in page and "수집 항목 추가" in page
    assert "2판" in page
    refused = client.post(response["Location"], {"consent-version": "2", "next": room})
    assert refused.status_code == 200 and client.get(room).status_code == 302
    agreed = client.post(
        response["Location"], {"consent-version": "2", "consent-required": "on", "next": room}
    )
    assert agreed["Location"] == room and client.get(room).status_code == 200
    user = User.objects.get(nickname="전주청년")
    assert set(
        ConsentRecord.objects.filter(user=user, scope="required").values_list(
            "notice__version", "channel"
        )
    ) == {(1, "join"), (2, "renewal")}

    # A join form shown before the change cannot record consent to a text never seen.
    stale = _join(Client(), jeonju, **shown_v1)
    assert stale.status_code == 200 and "바뀌었습니다" in stale.content.decode()
    assert _join(Client(), jeonju, **join_consent()).status_code == 302
    assert ConsentRecord.objects.filter(notice__version=2, channel="join").count() == 2


def test_declining_the_optional_items_again_erases_the_age_band(jeonju: Organisation) -> None:
    session = SessionFactory(state="live", agenda__organisation=jeonju)
    resident = ResidentFactory(region=jeonju, age_band="40s")
    Participant.objects.create(session=session, person=resident)
    _new_version(AdminFactory())
    client = Client()
    client.force_login(resident)
    client.post("/privacy/consent/", {"consent-version": "2", "consent-required": "on"})
    resident.refresh_from_db()
    assert resident.age_band == ""


def test_a_wording_fix_that_does_not_ask_again_lets_residents_in(jeonju: Organisation) -> None:
    session = SessionFactory(state="live", agenda__organisation=jeonju)
    resident = ResidentFactory(region=jeonju)
    _new_version(AdminFactory(), asks_consent_again=False, change_note="오탈자 수정")
    client = Client()
    client.force_login(resident)
    assert client.get(f"/sessions/{session.pk}/room/").status_code == 200


def test_notice_versions_are_kept_and_a_future_one_waits_for_its_date() -> None:
    admin = AdminFactory()
    v1 = notice_current()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    _new_version(
        admin, effective_date=tomorrow, body_ko="<p>내일부터</p>", body_en="<p>From tomorrow</p>"
    )
    assert notice_current().pk == v1.pk
    page = Client().get("/privacy/").content.decode()
    assert "내일부터" not in page and "1판" in page
    assert Client().get("/privacy/v2/").status_code == 404
    # Saved versions are never edited: the back office has no change form for them.
    client = Client()
    client.force_login(admin)
    change = client.post(
        f"/admin/personal_data/privacynotice/{v1.pk}/change/",
        {"effective_date": v1.effective_date.isoformat(), "body_ko": "<p>바꿈</p>", "body_en": "x"},
    )
    assert change.status_code in (302, 403)
    v1.refresh_from_db()
    assert "바꿈" not in v1.body_ko
    assert PersonalDataAction.objects.filter(kind="notice", actor=admin).count() == 1


def test_the_notice_names_this_deployments_controller_and_periods(settings: Any) -> None:
    settings.PRIVACY_CONTROLLER = "전북특별자치도"
    settings.PRIVACY_CONTROLLER_EN = "Jeonbuk State"
    settings.PRIVACY_OFFICER = "국제협력과장"
    settings.PRIVACY_CONTACT = "063-000-0000"
    settings.PERSONAL_DATA_RETENTION_DAYS = {
        **settings.PERSONAL_DATA_RETENTION_DAYS,
        "ip_addresses": 5,
    }
    korean = Client().get("/privacy/").content.decode()
    for text in ("전북특별자치도", "국제협력과장", "063-000-0000", "시행일", "IP 주소", "5일"):
        assert text in korean
    for text in ("외교부에는 회의 요약 보고", "정보주체의 권리", "탈퇴한 참여자"):
        assert text in korean
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/privacy/").content.decode()
    for text in ("Jeonbuk State", "Privacy officer", "effective", "IP addresses", "5 days"):
        assert text in english, text
    assert "{{" not in korean and "{{" not in english


@pytest.mark.parametrize("path", ["/", "/join/", "/signin/", "/privacy/", "/my/data/"])
def test_every_page_links_to_the_notice_in_its_footer(path: str) -> None:
    html = Client().get(path).content.decode()
    footer = html.split('class="site-footer"', 1)[1]
    assert 'href="/privacy/"' in footer and 'href="/my/data/"' in footer


def test_sign_in_form_links_to_the_notice() -> None:
    main = Client().get("/signin/").content.decode().split("<main", 1)[1].split("</main>")[0]
    assert 'href="/privacy/"' in main


def test_a_notice_written_in_the_back_office_is_sanitised() -> None:
    _new_version(
        AdminFactory(),
        body_ko='<h3>항목</h3><script>alert("x")</script><p onclick="steal()">닉네임</p>',
        body_en="<h3>Items</h3><img src=x onerror=alert(1)><p>Nickname</p>",
    )
    korean = Client().get("/privacy/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/privacy/").content.decode()
    assert "<h3>항목</h3>" in korean and "<p>닉네임</p>" in korean
    assert "<h3>Items</h3>" in english and "<p>Nickname</p>" in english
    for page in (korean, english):
        assert "<script>alert" not in page and "onclick=" not in page and "onerror" not in page
    # The deployment's retention table is added when the text leaves it out.
    assert "retention-table" in korean and "2판" in korean
