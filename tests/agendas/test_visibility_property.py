"""Property: the query behind every list agrees with the page predicate, for any person
and any agenda (role, clearance, region, organisation, disclosure, status, invitation)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberation.agendas import permissions
from deliberation.agendas.models import Agenda, Disclosure
from deliberation.people.models import Organisation, User
from tests.factories import AgendaFactory, OrganisationFactory, UserFactory

PLACES = ["none", "owner", "parent", "child", "elsewhere"]


@pytest.mark.django_db
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    role=st.sampled_from(User.Role.values),
    clearance=st.sampled_from(User.Clearance.values),
    place=st.sampled_from(PLACES),
    owner_level=st.sampled_from(["parent", "owner", "child"]),
    disclosure=st.sampled_from(Disclosure.values),
    status=st.sampled_from(Agenda.Status.values),
    invited=st.booleans(),
    active=st.booleans(),
)
def test_visible_agendas_q_agrees_with_can_view_agenda(
    role: str,
    clearance: str,
    place: str,
    owner_level: str,
    disclosure: str,
    status: str,
    invited: bool,
    active: bool,
) -> None:
    parent = OrganisationFactory(kind=Organisation.Kind.METROPOLITAN)
    owner = OrganisationFactory(kind=Organisation.Kind.LOCAL, parent=parent)
    child = OrganisationFactory(kind=Organisation.Kind.CENTRE, parent=owner)
    places = {
        "none": None,
        "owner": owner,
        "parent": parent,
        "child": child,
        "elsewhere": OrganisationFactory(),
    }
    agenda_org = {"parent": parent, "owner": owner, "child": child}[owner_level]
    agenda = AgendaFactory(organisation=agenda_org, disclosure=disclosure, status=status)
    person = UserFactory(
        role=role,
        clearance=clearance,
        organisation=places[place] if role != User.Role.RESIDENT else None,
        region=places[place] if role == User.Role.RESIDENT else None,
        is_active=active,
        is_superuser=False,
        is_staff=role == User.Role.ADMIN,
    )
    if invited:
        agenda.invitees.add(person)
    predicate = permissions.can_view_agenda(person, agenda)
    query = permissions.visible_agendas(person).filter(pk=agenda.pk).exists()
    assert predicate == query
    if disclosure == Disclosure.PUBLIC and status != Agenda.Status.DRAFT:
        assert predicate
    if not active:
        assert predicate == (disclosure == Disclosure.PUBLIC and status != Agenda.Status.DRAFT)
