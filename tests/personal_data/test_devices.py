"""Personal data and one person, one voice together: the device cookie after withdrawal, the
purge of device links and sign-in records, the notice, and the resident's own data."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import orjson
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from deliberation.agendas.models import Session
from deliberation.live import participation
from deliberation.live.models import DeviceBan, Participant
from deliberation.people.devices import device_from_token
from deliberation.people.models import Organisation, User
from deliberation.people.names import is_reserved
from deliberation.people.services import clean_nickname, device_resident
from deliberation.personal_data.services import WITHDRAWN_NICKNAME, resident_withdraw
from tests import factories
from tests.factories import join_consent

pytestmark = pytest.mark.django_db


class Phone:
    """One browser over HTTP: it keeps the device cookie Madang gives it."""

    def __init__(self, **extra: Any) -> None:
        self.client = Client(**extra)
        self.client.get("/join/")
        self.device_id = device_from_token(self.client.cookies[settings.DEVICE_COOKIE_NAME].value)
        assert self.device_id

    def join(self, nickname: str, region: Organisation, session: Session | None = None) -> Any:
        query = f"?session={session.pk}" if session is not None else ""
        return self.client.post(
            f"/join/{query}", {"nickname": nickname, "region": region.pk, **join_consent()}
        )

    def person(self) -> User:
        return User.objects.filter(device_id=self.device_id).latest("pk")

    def withdraw(self) -> Any:
        return self.client.post("/my/data/withdraw/", {"confirm": "on"})


@pytest.fixture
def region() -> Organisation:
    return factories.OrganisationFactory(name="전주시", kind=Organisation.Kind.LOCAL)


@pytest.fixture
def session() -> Session:
    return factories.SessionFactory(state=Session.State.LIVE)


def _enter(session: Session, person: User, device_id: str) -> Participant:
    participant, _created = participation.participant_create(
        session=session, user=person, device_id=device_id, now=timezone.now()
    )
    return participant


def test_withdrawal_on_the_data_page_unlinks_the_device(
    region: Organisation, session: Session
) -> None:
    phone = Phone()
    assert phone.join("전주토박이", region).status_code == 302
    first = phone.person()
    _enter(session, first, phone.device_id)
    assert device_resident(phone.device_id) == first

    assert phone.withdraw().status_code == 302
    first.refresh_from_db()
    assert first.nickname == WITHDRAWN_NICKNAME and first.device_id == ""
    assert not Participant.objects.filter(device_id=phone.device_id).exists()
    assert device_resident(phone.device_id) is None
    # The join page no longer offers to continue as the withdrawn person.
    assert "다시 오셨" not in phone.client.get("/join/").content.decode()
    assert "전주토박이" not in phone.client.get("/join/").content.decode()

    # A fresh join from the same browser is a new person.
    assert phone.join("새사람", region).status_code == 302
    again = phone.person()
    assert again.pk != first.pk and again.nickname == "새사람"
    assert list(User.objects.filter(device_id=phone.device_id)) == [again]
    assert "새사람" in phone.client.get("/my/data/").content.decode()


def test_a_ban_on_the_device_holds_after_the_resident_withdraws(
    region: Organisation, session: Session
) -> None:
    phone = Phone()
    phone.join("말썽꾼", region)
    troublemaker = phone.person()
    participant = _enter(session, troublemaker, phone.device_id)
    participation.ban_devices(
        session=session,
        person=troublemaker,
        participant=participant,
        actor=factories.FacilitatorFactory(),
        organisation=False,
    )
    assert phone.withdraw().status_code == 302
    assert User.objects.filter(device_id=phone.device_id).count() == 0

    page = phone.join("착한사람", region, session=session)
    assert page.status_code == 200
    assert "이 기기는 이 회의에서 차단되어" in page.content.decode()
    assert not User.objects.filter(nickname="착한사람").exists()
    assert DeviceBan.objects.filter(device_id=phone.device_id, session=session).exists()


def test_an_administrators_withdrawal_unlinks_the_device_and_keeps_the_ban(
    region: Organisation, session: Session
) -> None:
    phone = Phone()
    phone.join("전화로요청", region)
    person = phone.person()
    participant = _enter(session, person, phone.device_id)
    participation.ban_devices(
        session=session,
        person=person,
        participant=participant,
        actor=factories.FacilitatorFactory(),
        organisation=True,
    )
    counts = resident_withdraw(
        user=person,
        actor=factories.AdminFactory(),
        channel="admin",
        reference="2026-12-01 전화 접수 12번",
    )
    assert counts["device_links_removed"] == 2  # the identity's link and the room's copy
    person.refresh_from_db()
    assert person.device_id == "" and device_resident(phone.device_id) is None
    other = factories.SessionFactory(
        state=Session.State.LIVE, agenda__organisation=session.agenda.organisation
    )
    page = phone.join("다른이름", region, session=other).content.decode()
    assert "차단되어" in page and not User.objects.filter(nickname="다른이름").exists()


def test_the_data_page_and_downloads_show_the_device_and_how_each_session_was_joined(
    region: Organisation, session: Session
) -> None:
    phone = Phone()
    phone.join("기기주인", region)
    person = phone.person()
    participant = _enter(session, person, phone.device_id)
    Participant.objects.filter(pk=participant.pk).update(venue_verified_at=timezone.now())
    shown = phone.device_id[:6] + "…"

    page = phone.client.get("/my/data/").content.decode()
    assert "연결된 기기" in page and shown in page and "회의장 코드" in page
    assert phone.device_id not in page  # never the whole id: it is the cookie's value

    record = orjson.loads(phone.client.get("/my/data/export.json").content)
    [device] = record["devices"]
    assert device["device"] == shown and device["joined_on_it"] is True
    assert device["linked_at"] and device["last_seen"] and device["sessions"] == 1
    [joined] = record["sessions"]
    assert joined["joined_with"] == "회의장 코드" and joined["device"] == shown
    assert phone.device_id not in orjson.dumps(record).decode()

    body = phone.client.get("/my/data/export.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert any(r[0] == "기기 연결" and shown in r[3] for r in rows)
    assert any(r[0] == "참여한 회의" and "참여 방식: 회의장 코드" in r[3] for r in rows)
    assert phone.device_id not in body

    english = phone.client.get("/my/data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Linked devices" in english and "Venue code" in english


@pytest.mark.parametrize(
    "nickname",
    [
        "탈퇴한 참여자",
        "탈퇴한참여자",
        "탈퇴한 참여자 2",
        "Withdrawn participant",
        "WITHDRAWN-PARTICIPANT",
        "WithdrawnParticipant",
        "ｗｉｔｈｄｒａｗｎ ｐａｒｔｉｃｉｐａｎｔ",
    ],
)
def test_the_withdrawn_participants_name_is_reserved(nickname: str) -> None:
    assert is_reserved(nickname)
    with pytest.raises(ValidationError) as refused:
        clean_nickname(nickname)
    # Longer than a nickname may be anyway: refused for its length before its words.
    assert refused.value.code == ("reserved" if len(nickname) <= 20 else "max_length")


def test_joining_as_the_withdrawn_participant_is_refused(region: Organisation) -> None:
    page = Phone().join("탈퇴한 참여자", region)
    assert page.status_code == 200
    assert "쓸 수 없습니다" in page.content.decode()
    assert not User.objects.filter(nickname=WITHDRAWN_NICKNAME).exists()


def test_the_notice_names_the_device_cookie_the_sign_in_log_and_their_periods(
    settings: Any,
) -> None:
    settings.MADANG_JOIN_LIMIT_DEVICE = (5, 7200)  # kept two windows: 241 minutes at most
    settings.PERSONAL_DATA_RETENTION_DAYS = {
        **settings.PERSONAL_DATA_RETENTION_DAYS,
        "device_links": 90,
        "signin_attempts": 3,
    }
    korean = Client().get("/privacy/").content.decode()
    for text in (
        "기기 쿠키(madang_device)",
        "로그인 시도 기록",
        "기기 연결(",
        "마지막으로 참여한 회의 후 90일",
        "시도 후 3일",
        "최대 241분",
    ):
        assert text in korean, text
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/privacy/").content.decode()
    for text in (
        "Device cookie (madang_device)",
        "Sign-in attempt log",
        "90 days after the last session",
        "3 days after the attempt",
        "at most 241 minutes",
    ):
        assert text in english, text


def test_device_links_have_their_own_period(region: Organisation, settings: Any) -> None:
    from deliberation.personal_data.purges import purge_personal_data

    phone = Phone()
    phone.join("오래된기기", region)
    person = phone.person()
    old = timezone.now() - dt.timedelta(days=40)
    User.objects.filter(pk=person.pk).update(date_joined=old)
    settings.PERSONAL_DATA_RETENTION_DAYS = {
        **settings.PERSONAL_DATA_RETENTION_DAYS,
        "device_links": 30,
    }
    assert purge_personal_data(dry_run=True)["counts"]["device_links"] == 1
    assert User.objects.get(pk=person.pk).device_id == phone.device_id
    result = purge_personal_data(dry_run=False)
    assert result["counts"]["device_links"] == 1
    assert result["counts"]["quick_join_identities"] == 0
    person.refresh_from_db()
    # The identity itself stays (its own period is longer); the browser no longer names it.
    assert person.nickname == "오래된기기" and person.is_active and person.device_id == ""
    assert device_resident(phone.device_id) is None
