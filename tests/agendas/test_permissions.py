"""Every cell of docs/permissions.md's agenda table, checked against the code.

The table is parsed from the document itself, so the document and the code cannot
drift apart silently.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from deliberation.agendas import briefing, permissions, services
from deliberation.agendas.models import Agenda, Disclosure, Session, Topic
from deliberation.people.models import Organisation, User
from tests.factories import AgendaFactory, OrganisationFactory, SessionFactory, UserFactory

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
MARK = "<!-- permissions-table:agendas -->"
ACTIONS = [
    "view_public",
    "view_internal",
    "view_restricted",
    "view_draft",
    "create_agenda",
    "edit_agenda",
    "edit_session",
    "transition_session",
    "reopen_session",
    "attach_briefing",
    "join_live_public",
    "join_live_restricted",
    "join_scheduled",
]
ROLES = [
    "anonymous",
    "resident",
    "resident_home",
    "invitee",
    "facilitator_own",
    "facilitator_parent",
    "facilitator_other",
    "ministry_public",
    "ministry_internal",
    "ministry_restricted",
    "admin",
]


def _parse_table() -> dict[tuple[str, str], bool]:
    lines = DOC.read_text(encoding="utf-8").split(MARK, 1)[1].strip().splitlines()
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    header, body = rows[0], rows[2:]
    actions = [re.search(r"`(\w+)`", cell).group(1) for cell in header[1:]]  # type: ignore[union-attr]
    table = {}
    for row in body:
        role = re.search(r"`(\w+)`\s*$", row[0]).group(1)  # type: ignore[union-attr]
        for action, cell in zip(actions, row[1:], strict=True):
            assert cell in {"✓", "✗"}, f"{role}/{action}: {cell!r}"
            table[(role, action)] = cell == "✓"
    return table


TABLE = _parse_table()


def test_the_table_covers_every_role_and_action() -> None:
    assert set(TABLE) == {(r, a) for r in ROLES for a in ACTIONS}


@dataclass
class World:
    owner: Organisation
    parent: Organisation
    agendas: dict[str, Agenda]
    live_public: Session
    live_restricted: Session
    scheduled_public: Session
    closed_public: Session
    people: dict[str, Any]


@pytest.fixture
def world(db: Any) -> World:
    parent = OrganisationFactory(kind=Organisation.Kind.METROPOLITAN, name="전북특별자치도")
    owner = OrganisationFactory(kind=Organisation.Kind.LOCAL, name="전주시", parent=parent)
    elsewhere = OrganisationFactory(kind=Organisation.Kind.METROPOLITAN, name="부산광역시")
    ministry = OrganisationFactory(kind=Organisation.Kind.MINISTRY, name="외교부", slug="mofa")

    def agenda(disclosure: str, status: str = Agenda.Status.OPEN) -> Agenda:
        return AgendaFactory(organisation=owner, disclosure=disclosure, status=status)

    agendas = {
        "public": agenda(Disclosure.PUBLIC),
        "internal": agenda(Disclosure.INTERNAL),
        "restricted": agenda(Disclosure.RESTRICTED),
        "draft": agenda(Disclosure.PUBLIC, Agenda.Status.DRAFT),
    }
    invitee = UserFactory(role=User.Role.RESIDENT, region=elsewhere)
    for a in agendas.values():
        a.invitees.add(invitee)
    people: dict[str, Any] = {
        "anonymous": AnonymousUser(),
        "resident": UserFactory(role=User.Role.RESIDENT, region=elsewhere),
        "resident_home": UserFactory(role=User.Role.RESIDENT, region=owner),
        "invitee": invitee,
        "facilitator_own": UserFactory(role=User.Role.FACILITATOR, organisation=owner),
        "facilitator_parent": UserFactory(role=User.Role.FACILITATOR, organisation=parent),
        "facilitator_other": UserFactory(role=User.Role.FACILITATOR, organisation=elsewhere),
        "admin": UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True),
    }
    for clearance in User.Clearance.values:
        people[f"ministry_{clearance}"] = UserFactory(
            role=User.Role.MINISTRY, organisation=ministry, clearance=clearance
        )
    return World(
        owner=owner,
        parent=parent,
        agendas=agendas,
        live_public=SessionFactory(agenda=agendas["public"], state=Session.State.LIVE),
        live_restricted=SessionFactory(agenda=agendas["restricted"], state=Session.State.LIVE),
        scheduled_public=SessionFactory(agenda=agendas["public"]),
        closed_public=SessionFactory(agenda=agendas["public"], state=Session.State.CLOSED),
        people=people,
    )


def _may(world: World, user: Any, action: str) -> bool:
    """Ask the code, through the predicate and, for writes, through the service itself."""
    a = world.agendas
    if action.startswith("view_"):
        agenda = a[action.removeprefix("view_")]
        seen = permissions.can_view_agenda(user, agenda)
        listed = permissions.visible_agendas(user).filter(pk=agenda.pk).exists()
        assert seen == listed, "visible_agendas_q disagrees with can_view_agenda"
        session = SessionFactory(agenda=agenda)
        assert permissions.can_view_session(user, session) == seen
        assert permissions.visible_sessions(user).filter(pk=session.pk).exists() == seen
        return seen
    if action == "join_live_public":
        return permissions.can_join_room(user, world.live_public)
    if action == "join_live_restricted":
        return permissions.can_join_room(user, world.live_restricted)
    if action == "join_scheduled":
        return permissions.can_join_room(user, world.scheduled_public)

    predicate = {
        "create_agenda": lambda: permissions.can_create_agenda(user, world.owner),
        "edit_agenda": lambda: permissions.can_edit_agenda(user, a["public"]),
        "edit_session": lambda: permissions.can_manage_session(user, world.scheduled_public),
        "transition_session": lambda: permissions.can_moderate(user, world.scheduled_public),
        "reopen_session": lambda: permissions.can_reopen_session(user, world.closed_public),
        "attach_briefing": lambda: permissions.can_manage_session(user, world.live_public),
    }[action]()
    if isinstance(user, AnonymousUser):
        return predicate
    starts = timezone.now() + dt.timedelta(days=2)
    write = {
        "create_agenda": lambda: services.agenda_create(
            actor=user, organisation=world.owner, title="새 의제", topic=Topic.TRADE
        ),
        "edit_agenda": lambda: services.agenda_update(
            actor=user, agenda=a["public"], title="고친 제목"
        ),
        "edit_session": lambda: services.session_create(
            actor=user, agenda=a["public"], title="새 회의", kind="open_mic", starts_at=starts
        ),
        "transition_session": lambda: services.session_transition(
            actor=user, session=world.scheduled_public, to_state=Session.State.LIVE
        ),
        "reopen_session": lambda: services.session_transition(
            actor=user, session=world.closed_public, to_state=Session.State.LIVE
        ),
        "attach_briefing": lambda: briefing.briefing_add(
            actor=user, session=world.live_public, title="안내", body="읽을거리"
        ),
    }[action]
    try:
        write()
    except PermissionDenied:
        done = False
    else:
        done = True
    assert done == predicate, "the service and the predicate disagree"
    return done


@pytest.mark.parametrize(("role", "action"), sorted(TABLE))
def test_permission_cell(world: World, role: str, action: str) -> None:
    assert _may(world, world.people[role], action) is TABLE[(role, action)]


@pytest.mark.django_db
def test_residents_of_a_sub_region_see_the_parent_regions_internal_agenda() -> None:
    parent = OrganisationFactory(kind=Organisation.Kind.METROPOLITAN)
    child = OrganisationFactory(kind=Organisation.Kind.LOCAL, parent=parent)
    internal = AgendaFactory(organisation=parent, disclosure=Disclosure.INTERNAL)
    of_child = UserFactory(role=User.Role.RESIDENT, region=child)
    of_parent = UserFactory(role=User.Role.RESIDENT, region=parent)
    child_internal = AgendaFactory(organisation=child, disclosure=Disclosure.INTERNAL)
    for user, agenda, expected in [
        (of_child, internal, True),
        (of_parent, internal, True),
        (of_parent, child_internal, False),
        (of_child, child_internal, True),
    ]:
        assert permissions.can_view_agenda(user, agenda) is expected
        assert permissions.visible_agendas(user).filter(pk=agenda.pk).exists() is expected


@pytest.mark.django_db
def test_deactivated_people_lose_everything_but_public_agendas() -> None:
    org = OrganisationFactory()
    facilitator = UserFactory(role=User.Role.FACILITATOR, organisation=org, is_active=False)
    internal = AgendaFactory(organisation=org, disclosure=Disclosure.INTERNAL)
    public = AgendaFactory(organisation=org)
    assert not permissions.can_view_agenda(facilitator, internal)
    assert not permissions.can_edit_agenda(facilitator, public)
    assert list(permissions.visible_agendas(facilitator)) == [public]


@pytest.mark.django_db
def test_a_facilitator_of_a_province_manages_agendas_two_levels_down() -> None:
    top = OrganisationFactory(kind=Organisation.Kind.METROPOLITAN)
    mid = OrganisationFactory(kind=Organisation.Kind.LOCAL, parent=top)
    centre = OrganisationFactory(kind=Organisation.Kind.CENTRE, parent=mid)
    facilitator = UserFactory(role=User.Role.FACILITATOR, organisation=top)
    draft = AgendaFactory(organisation=centre, status=Agenda.Status.DRAFT)
    assert permissions.can_edit_agenda(facilitator, draft)
    assert permissions.visible_agendas(facilitator).filter(pk=draft.pk).exists()
