"""A live deliberation session on a public agenda, its facilitator, residents and an observer."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from deliberation.agendas.models import Session
from deliberation.people.models import User
from deliberation.structured.models import Phase
from tests import factories


@pytest.fixture
def delib(db: Any) -> Session:
    agenda = factories.AgendaFactory()
    return factories.SessionFactory(
        agenda=agenda,
        kind=Session.Kind.DELIBERATION,
        state=Session.State.LIVE,
        title="청년 해외 일자리 숙의",
    )


@pytest.fixture
def host(delib: Session) -> User:
    return factories.FacilitatorFactory(organisation=delib.agenda.organisation)


@pytest.fixture
def residents(delib: Session) -> list[User]:
    return [factories.ResidentFactory(nickname=f"주민{i}") for i in range(1, 5)]


@pytest.fixture
def observer(delib: Session) -> User:
    return factories.MinistryStaffFactory(clearance=User.Clearance.PUBLIC)


def run_phase(session: Session, kind: str | None) -> None:
    """Make the phase of ``kind`` the running one, those before it done (None: none runs)."""
    Phase.objects.filter(session=session, status=Phase.Status.RUNNING).update(
        status=Phase.Status.DONE
    )
    if kind is None:
        return
    phase = Phase.objects.filter(session=session, kind=kind).order_by("order").first()
    assert phase is not None
    Phase.objects.filter(session=session, order__lt=phase.order).update(status=Phase.Status.DONE)
    Phase.objects.filter(session=session, order__gt=phase.order).update(status=Phase.Status.PENDING)
    now = timezone.now()
    Phase.objects.filter(pk=phase.pk).update(
        status=Phase.Status.RUNNING, started_at=now, ends_at=now + timezone.timedelta(minutes=5)
    )
