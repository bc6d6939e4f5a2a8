"""Administrators answer a request made by phone or letter through the same services;
every such action is in the personal-data audit log."""

from __future__ import annotations

import orjson
import pytest
from django.test import Client

from deliberation.people.models import User
from deliberation.personal_data.models import PersonalDataAction, Withdrawal
from deliberation.personal_data.services import WITHDRAWN_NICKNAME
from tests.factories import AdminFactory, FacilitatorFactory

from .conftest import Record

pytestmark = pytest.mark.django_db

REFERENCE = "2026-12-01 전화 요청, 본인 확인, 민원 1234"


def _admin() -> tuple[Client, User]:
    admin = AdminFactory()
    client = Client()
    client.force_login(admin)
    return client, admin


def test_the_request_page_lists_residents_and_logs_each_look(full_record: Record) -> None:
    client, admin = _admin()
    found = client.get("/admin/personal_data/datasubject/?q=옛날").content.decode()
    assert "옛날주민" in found and "요즘주민" not in found
    everyone = client.get("/admin/personal_data/datasubject/").content.decode()
    assert "요즘주민" in everyone and full_record.facilitator.nickname not in everyone
    url = f"/admin/personal_data/datasubject/{full_record.quick_old.pk}/request/"
    assert client.get(f"/admin/personal_data/datasubject/{full_record.quick_old.pk}/change/")[
        "Location"
    ].endswith(url)
    page = client.get(url).content.decode()
    assert "옛날주민" in page and "요청 경위" in page
    entry = PersonalDataAction.objects.get(kind="view")
    assert (entry.actor, entry.subject, entry.channel) == (admin, full_record.quick_old, "admin")


def test_an_export_for_a_resident_needs_the_reference_and_is_logged(full_record: Record) -> None:
    client, admin = _admin()
    url = f"/admin/personal_data/datasubject/{full_record.quick_old.pk}/request/"
    refused = client.post(url, {"action": "json", "confirm": "on"})
    assert refused.status_code == 200 and "요청 경위" in refused.content.decode()
    assert not PersonalDataAction.objects.filter(kind="export").exists()
    response = client.post(url, {"action": "json", "confirm": "on", "reference": REFERENCE})
    data = orjson.loads(response.content)
    assert data["profile"]["nickname"] == "옛날주민" and len(data["statements"]) == 1
    csv_body = client.post(url, {"action": "csv", "confirm": "on", "reference": REFERENCE})
    assert "청년 해외 일자리 박람회" in csv_body.content.decode("utf-8-sig")
    entries = PersonalDataAction.objects.filter(kind="export").order_by("pk")
    assert [(e.actor, e.channel, e.reference, e.detail["format"]) for e in entries] == [
        (admin, "admin", REFERENCE, "json"),
        (admin, "admin", REFERENCE, "csv"),
    ]


def test_withdrawal_on_behalf_of_a_resident(full_record: Record) -> None:
    client, admin = _admin()
    person = full_record.quick_old
    url = f"/admin/personal_data/datasubject/{person.pk}/request/"
    unconfirmed = client.post(url, {"action": "withdraw", "reference": REFERENCE})
    assert unconfirmed.status_code == 200
    person.refresh_from_db()
    assert person.is_active

    done = client.post(url, {"action": "withdraw", "reference": REFERENCE, "confirm": "on"})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.nickname == WITHDRAWN_NICKNAME and not person.is_active
    assert person.withdrawal.cause == Withdrawal.Cause.ADMIN
    entry = PersonalDataAction.objects.get(kind="withdraw")
    assert (entry.actor, entry.subject, entry.channel, entry.reference) == (
        admin,
        person,
        "admin",
        REFERENCE,
    )
    assert entry.detail["statements_kept"] == 1
    # Twice is refused, clearly.
    again = client.post(url, {"action": "withdraw", "reference": REFERENCE, "confirm": "on"})
    assert "이미 탈퇴했거나" in again.content.decode()
    log_page = client.get("/admin/personal_data/personaldataaction/").content.decode()
    assert REFERENCE in log_page


def test_optional_consent_withdrawn_on_behalf_of_a_resident(full_record: Record) -> None:
    client, admin = _admin()
    person = full_record.quick_old
    url = f"/admin/personal_data/datasubject/{person.pk}/request/"
    client.post(url, {"action": "optional", "reference": REFERENCE, "confirm": "on"})
    person.refresh_from_db()
    assert person.age_band == ""
    assert PersonalDataAction.objects.get(kind="optional").actor == admin


def test_only_administrators_reach_residents_data(full_record: Record) -> None:
    facilitator = FacilitatorFactory(is_staff=True)
    client = Client()
    client.force_login(facilitator)
    url = f"/admin/personal_data/datasubject/{full_record.quick_old.pk}/request/"
    assert client.get(url).status_code in (302, 403)
    assert client.get("/admin/personal_data/datasubject/").status_code in (302, 403)
    assert not PersonalDataAction.objects.exists()
