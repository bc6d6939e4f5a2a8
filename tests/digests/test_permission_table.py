"""docs/permissions.md's digests table, checked cell by cell against the predicates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from deliberation.digests import permissions, selectors
from deliberation.digests.models import Digest
from deliberation.live.models import Participant

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def read_table(marker: str) -> tuple[list[str], dict[str, dict[str, bool]]]:
    lines = DOC.read_text(encoding="utf-8").split(f"<!-- permissions-table:{marker} -->", 1)[1]
    rows = [line for line in lines.strip().splitlines() if line.startswith("|")]
    header = [re.findall(r"`([a-z_]+)`", cell) for cell in rows[0].strip("|").split("|")]
    actions = [found[-1] for found in header[1:]]
    table = {}
    for row in rows[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        role = re.findall(r"`([a-z_]+)`", cells[0])[-1]
        table[role] = {a: c == "✓" for a, c in zip(actions, cells[1:], strict=True)}
    return actions, table


ACTIONS, TABLE = read_table("digests")


@pytest.fixture
def world(
    organisation_factory: Any,
    resident_factory: Any,
    facilitator_factory: Any,
    ministry_staff_factory: Any,
    admin_user: Any,
    make_digest: Any,
) -> dict[str, Any]:
    parent = organisation_factory()
    owner = organisation_factory(kind="local", parent=parent)
    digests = {
        level: make_digest(disclosure=level, organisation=owner)
        for level in ("public", "internal", "restricted")
    }
    draft = make_digest(Digest.Status.DRAFT, disclosure="public", organisation=owner)
    participant = resident_factory(region=owner)
    for digest in digests.values():
        Participant.objects.create(session=digest.session, person=participant)
    people = {
        "anonymous": AnonymousUser(),
        "resident": resident_factory(region=owner),
        "participant": participant,
        "facilitator_own": facilitator_factory(organisation=owner),
        "facilitator_parent": facilitator_factory(organisation=parent),
        "facilitator_other": facilitator_factory(),
        "ministry_public": ministry_staff_factory(clearance="public"),
        "ministry_internal": ministry_staff_factory(clearance="internal"),
        "ministry_restricted": ministry_staff_factory(clearance="restricted"),
        "admin": admin_user,
    }
    return {"digests": digests, "draft": draft, "people": people}


def decide(action: str, user: Any, world: dict[str, Any]) -> bool:
    digests = world["digests"]
    if action == "manage":
        return permissions.can_manage_digest(user, world["draft"].agenda)
    if action == "view_draft":
        return permissions.can_view_digest(user, world["draft"])
    if action == "inbox":
        return permissions.can_use_inbox(user)
    if action == "assign_internal":
        return permissions.can_work_on(user, digests["internal"])
    if action == "read_log":
        return permissions.can_view_read_log(user)
    if action.startswith("read_"):
        digest = digests[action.removeprefix("read_")]
        allowed = permissions.can_view_digest(user, digest)
        listed = Digest.objects.filter(permissions.visible_digests_q(user), pk=digest.pk).exists()
        assert listed == allowed
        return allowed
    if action == "respond_internal":
        return permissions.can_respond(user, digests["internal"])
    if action.startswith("answers_"):
        digest = digests[action.removeprefix("answers_")]
        took_part = selectors.took_part(user, digest.session)
        return permissions.can_see_answers(user, digest, participant=took_part)
    raise AssertionError(action)


def test_table_covers_every_role_and_action() -> None:
    assert len(TABLE) == 10 and len(ACTIONS) == 11


def test_every_cell(world: dict[str, Any]) -> None:
    wrong = [
        f"{role}/{action}: table says {expected}"
        for role, cells in TABLE.items()
        for action, expected in cells.items()
        if decide(action, world["people"][role], world) != expected
    ]
    assert not wrong, "\n".join(wrong)
