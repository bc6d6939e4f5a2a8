"""A resident's own data: see it, download it (JSON, CSV), withdraw optional consent, withdraw."""

from __future__ import annotations

import csv
import io

import orjson
import pytest
from django.conf import settings
from django.test import Client

from deliberation.digests.models import Notification
from deliberation.live.models import Statement
from deliberation.people.identity import resident_from_token, resident_token
from deliberation.people.models import User
from deliberation.personal_data.models import ConsentRecord, PersonalDataAction
from deliberation.personal_data.services import WITHDRAWN_NICKNAME

from .conftest import Record

COOKIE = settings.RESIDENT_COOKIE_NAME


def _as(user: User) -> Client:
    return Client(HTTP_COOKIE=f"{COOKIE}={resident_token(user)}")


@pytest.mark.django_db
def test_the_data_page_shows_what_is_held(full_record: Record) -> None:
    person = full_record.recent
    page = _as(person).get("/my/data/").content.decode()
    for text in ("요즘주민", "전주시", "참여한 회의 1개", "발언 1개", "제안 1개", "신고 1건"):
        assert text in page, text
    assert "해외 일자리 정보를 한곳에서 볼 수 있으면 좋겠습니다." in page
    assert 'href="/my/data/export.json"' in page and 'href="/my/data/export.csv"' in page
    assert 'href="/my/data/withdraw/"' in page
    english = Client(HTTP_COOKIE=f"{COOKIE}={resident_token(person)}", HTTP_ACCEPT_LANGUAGE="en")
    assert "1 statement" in english.get("/my/data/").content.decode()


@pytest.mark.django_db
def test_nobody_on_this_device_sees_an_explanation() -> None:
    page = Client().get("/my/data/").content.decode()
    assert "이 기기에는 마당 참여 정보가 없습니다." in page
    assert Client().get("/my/data/export.json").status_code == 404


@pytest.mark.django_db
def test_download_json_and_csv_hold_every_kind(full_record: Record) -> None:
    person = full_record.quick_old
    client = _as(person)
    response = client.get("/my/data/export.json")
    assert response["Content-Disposition"] == 'attachment; filename="madang-my-data.json"'
    assert response["Cache-Control"] == "no-store"
    data = orjson.loads(response.content)
    assert data["profile"]["nickname"] == "옛날주민" and data["profile"]["age_band"] == "30대"
    assert [s["text"] for s in data["statements"]] == [
        "청년 해외 일자리 박람회를 도에서 매년 열어 주세요."
    ]
    assert data["proposals"][0]["title"] == "해외 인턴십 지원금"
    assert data["votes"]["ballots"][0]["choices"] == [
        {"proposal": "해외 인턴십 지원금", "rank": None}
    ]
    assert data["votes"]["polls"][0]["options"] == ["예"]
    assert len(data["votes"]["supports"]) == 1 and data["reactions"][0]["kind"] == "공감"
    assert data["reports"][0]["reason"] == "주제와 무관"
    assert data["notifications"][0]["title"] == "외교부 답변이 도착했습니다"
    assert data["sessions"][0]["session_id"] == full_record.session.pk
    assert {c["scope"] for c in data["consents"]} == {"필수 항목", "선택 항목(연령대)"}
    assert len(data["floor_turns"]) == 1 and data["hands_raised"] == 1

    response = client.get("/my/data/export.csv")
    assert (
        response["Content-Type"].startswith("text/csv") and response.content[:3] == b"\xef\xbb\xbf"
    )
    rows = list(csv.reader(io.StringIO(response.content[3:].decode("utf-8"))))
    kinds = {row[0] for row in rows[1:]}
    assert {"프로필", "동의 기록", "참여한 회의", "발언", "제안", "투표", "설문 응답"} <= kinds
    assert {"제안 지지", "공감 반응", "신고", "알림", "발언권"} <= kinds
    logged = PersonalDataAction.objects.filter(subject=person, kind="export", channel="self")
    assert sorted(logged.values_list("detail__format", flat=True)) == ["csv", "json"]


@pytest.mark.django_db
def test_withdrawing_optional_consent_erases_the_age_band(full_record: Record) -> None:
    person = full_record.quick_old
    client = _as(person)
    assert "선택 항목 동의 철회" in client.get("/my/data/").content.decode()
    assert client.get("/my/data/optional/withdraw/").status_code == 405
    response = client.post("/my/data/optional/withdraw/")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.age_band == ""
    latest = ConsentRecord.objects.filter(user=person, scope="optional").first()
    assert latest is not None and latest.granted is False
    assert PersonalDataAction.objects.filter(subject=person, kind="optional").exists()


@pytest.mark.django_db
def test_withdrawal_asks_for_confirmation_and_explains_what_stays(full_record: Record) -> None:
    person = full_record.quick_old
    client = _as(person)
    page = client.get("/my/data/withdraw/").content.decode()
    assert "공적 기록으로 남는 것과 그 이유" in page and WITHDRAWN_NICKNAME in page
    assert "이미 외교부에 전달한 요약 보고는 그대로입니다." in page
    unconfirmed = client.post("/my/data/withdraw/", {})
    assert unconfirmed.status_code == 200
    assert "탈퇴하려면 확인란에 표시해 주세요." in unconfirmed.content.decode()
    person.refresh_from_db()
    assert person.is_active and person.nickname == "옛날주민"

    token = resident_token(person)
    done = client.post("/my/data/withdraw/", {"confirm": "on"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert done.cookies[COOKIE].value == ""
    person.refresh_from_db()
    assert (person.nickname, person.is_active, person.region) == (WITHDRAWN_NICKNAME, False, None)
    assert Statement.objects.filter(author=person).count() == 1  # the words stay
    assert not Notification.objects.filter(user=person).exists()
    assert resident_from_token(token) is None
    # The old cookie is nobody now: no name in the header, nothing on the data page.
    old = Client(HTTP_COOKIE=f"{COOKIE}={token}")
    assert "이 기기에는 마당 참여 정보가 없습니다." in old.get("/my/data/").content.decode()
    session_room = f"/sessions/{full_record.session.pk}/room/"
    assert old.get(session_room).status_code in (302, 404)
    entry = PersonalDataAction.objects.get(subject=person, kind="withdraw")
    assert entry.channel == "self" and entry.actor == person


@pytest.mark.django_db
def test_staff_accounts_cannot_withdraw_themselves(full_record: Record) -> None:
    client = Client()
    client.force_login(full_record.facilitator)
    assert "직접 탈퇴할 수 없습니다" in client.get("/my/data/").content.decode()
    client.post("/my/data/withdraw/", {"confirm": "on"})
    full_record.facilitator.refresh_from_db()
    assert full_record.facilitator.is_active


@pytest.mark.django_db
def test_a_resident_with_an_account_withdraws_and_is_signed_out(full_record: Record) -> None:
    person = full_record.account_old
    client = Client()
    client.force_login(person)
    assert client.post("/my/data/withdraw/", {"confirm": "on"}).status_code == 302
    assert "이 기기에는 마당 참여 정보가 없습니다." in client.get("/my/data/").content.decode()
    person.refresh_from_db()
    assert not person.has_usable_password() and not person.is_active
