"""Counts that reach the ministry say how people took part (accounts, venue code, open)."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from deliberation.agendas.models import Session
from deliberation.live.models import Participant
from deliberation.people.models import Organisation
from deliberation.people.services import resident_join
from tests import factories

pytestmark = pytest.mark.django_db


def test_digest_and_inbox_say_how_people_took_part(
    make_digest: Any, ministry_staff_factory: Any
) -> None:
    session = factories.SessionFactory(state=Session.State.LIVE)
    region = factories.OrganisationFactory(kind=Organisation.Kind.LOCAL)
    accounts = [factories.ResidentFactory() for _ in range(2)]
    quick = [
        resident_join(nickname=f"손님{i}", region=region, device_id=secrets.token_hex(16))
        for i in range(4)
    ]
    now = timezone.now()
    for person in accounts:
        Participant.objects.create(session=session, person=person)
    for i, person in enumerate(quick):
        Participant.objects.create(
            session=session, person=person, venue_verified_at=now if i < 3 else None
        )
    # Staff in the room are not counted as residents.
    Participant.objects.create(
        session=session,
        person=factories.FacilitatorFactory(organisation=session.agenda.organisation),
    )
    digest = make_digest(session=session)
    assert digest.participation_modes == {"account": 2, "venue_code": 3, "open": 1}

    client = Client()
    client.force_login(ministry_staff_factory())
    inbox = client.get(reverse("digests:inbox")).content.decode()
    assert "계정 2 · 회의장 코드 3 · 자유 참여 1" in inbox
    detail = client.get(reverse("digests:digest_detail", args=[digest.pk])).content.decode()
    assert "계정 2 · 회의장 코드 3 · 자유 참여 1" in detail


def test_ministry_answers_carry_the_ministry_badge(
    make_digest: Any, ministry_staff_factory: Any
) -> None:
    from deliberation.digests import services

    digest = make_digest()
    staff = ministry_staff_factory(nickname="외교부 정책관")
    services.response_post(actor=staff, digest=digest, status="reviewing", text="검토 중입니다.")
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("digests:digest_detail", args=[digest.pk])).content.decode()
    assert '<span class="staff-badge" data-staff-badge>외교부</span>' in page
