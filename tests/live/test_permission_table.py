"""Every cell of docs/permissions.md "Live room" against the real WebSocket stack."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async

from deliberation.agendas.models import Session
from deliberation.live import actions
from deliberation.live.models import ModerationAction, RoomEvent
from deliberation.people.models import Organisation, User
from tests import factories
from tests.live.conftest import Room

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
MARK = "<!-- permissions-table:live -->"


def _table() -> tuple[list[str], dict[str, dict[str, bool]]]:
    text = DOC.read_text(encoding="utf-8").split(MARK, 1)[1].strip().splitlines()
    header = [re.findall(r"`([^`]+)`", cell) for cell in text[0].split("|")[2:-1]]
    roles = [h[0] for h in header]
    cells: dict[str, dict[str, bool]] = {}
    for line in text[2:]:
        if not line.startswith("|"):
            break
        parts = line.split("|")[1:-1]
        action = re.findall(r"`([^`]+)`", parts[0])[-1]
        cells[action] = {role: parts[i + 1].strip() == "✓" for i, role in enumerate(roles)}
    return roles, cells


ROLES, CELLS = _table()

# A harmless request for each allowed cell: it passes the permission check and then
# stops at the action's own rule (no target, wrong field), so nothing changes.
PROBES: dict[str, tuple[dict[str, Any], str]] = {
    "statement.post": ({"client_msg_id": "p", "text": " "}, "empty_text"),
    "reaction.toggle": ({"statement_id": 0, "kind": "공감"}, "not_found"),
    "hand.raise": ({}, "ack"),
    "hand.lower": ({}, "ack"),
    "report.create": ({"statement_id": 0, "reason": "이유"}, "not_found"),
    "floor.grant": ({"user_id": 0}, "not_found"),
    "floor.extend": ({}, "no_floor"),
    "floor.end": ({}, "no_floor"),
    "floor.skip": ({}, "no_floor"),
    "floor.yield": ({}, "no_floor"),
    "room.open": ({}, "bad_transition"),
    "room.lock": ({"locked": "yes"}, "bad_field"),
    "room.slow_mode": ({"seconds": -1}, "bad_field"),
    "room.premoderation": ({"enabled": 1}, "bad_field"),
    "statement.approve": ({"statement_id": 0}, "not_found"),
    "statement.reject": ({"statement_id": 0}, "not_found"),
    "statement.pin": ({"statement_id": 0}, "not_found"),
    "statement.unpin": ({"statement_id": 0}, "not_found"),
    "statement.hide": ({"statement_id": 0}, "not_found"),
    "statement.restore": ({"statement_id": 0}, "not_found"),
    "participant.mute": ({"user_id": 0}, "not_found"),
    "participant.unmute": ({"user_id": 0}, "not_found"),
    "participant.remove": ({"user_id": 0}, "not_found"),
    "participant.ban": ({"user_id": 0}, "not_found"),
    "participant.unban": ({"user_id": 0}, "not_found"),
    "report.resolve": ({"report_id": 0, "status": "dismissed"}, "not_found"),
}
# Allowed cells whose every valid request changes the room: checked on the predicate.
PREDICATE_ONLY = {"room.pause", "room.close"}


def test_the_table_lists_every_action_of_the_room() -> None:
    live_actions = {
        name
        for name, spec in actions.action_table().items()
        if spec.handler.__module__ == "deliberation.live.actions"
    }
    assert live_actions == set(CELLS) - {"enter"}
    assert set(PROBES) | PREDICATE_ONLY == live_actions


@database_sync_to_async
def _person(role: str, session: Session) -> User:
    own = session.agenda.organisation
    if role == "resident":
        return factories.ResidentFactory()
    if role == "facilitator_own":
        return factories.FacilitatorFactory(organisation=own)
    if role == "facilitator_parent":
        return factories.FacilitatorFactory(organisation=own.parent)
    if role == "facilitator_other":
        return factories.FacilitatorFactory()
    if role == "ministry_internal":
        return factories.MinistryStaffFactory()
    if role == "admin":
        return factories.AdminFactory()
    raise AssertionError(role)


@database_sync_to_async
def _nest_owner(session: Session) -> None:
    parent = factories.OrganisationFactory(kind=Organisation.Kind.METROPOLITAN)
    own = session.agenda.organisation
    own.kind = Organisation.Kind.LOCAL
    own.parent = parent
    own.save()


@database_sync_to_async
def _allowed_by_predicate(name: str, user: User, session_id: int) -> bool:
    session = Session.objects.select_related("agenda__organisation").get(pk=session_id)
    return actions.lookup(name).permission(user, session)  # type: ignore[union-attr]


@database_sync_to_async
def _record() -> tuple[int, int, str]:
    return (
        RoomEvent.objects.count(),
        ModerationAction.objects.count(),
        Session.objects.get().state,
    )


@pytest.fixture
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test sends every action in a row; the flood limit is tested elsewhere."""
    from deliberation.live import consumers

    monkeypatch.setattr(consumers, "CONNECTION_RATE", (1000.0, 1000.0))
    monkeypatch.setattr(consumers, "PERSON_RATE", (1000.0, 1000.0))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.usefixtures("_no_rate_limit")
async def test_every_cell_for_role(room: Room, role: str) -> None:
    await _nest_owner(room.session)
    user = await _person(role, room.session)
    assert CELLS["enter"][role]
    client = await room.join(user)
    for name, allowed in CELLS.items():
        if name == "enter":
            continue
        if not allowed[role]:
            before = await _record()
            await client.fail(name, "forbidden", **PROBES.get(name, ({}, ""))[0])
            assert await _record() == before, f"{role} {name} changed something"
            continue
        assert await _allowed_by_predicate(name, user, room.session.pk), (role, name)
        if name in PREDICATE_ONLY:
            continue
        payload, expected = PROBES[name]
        reply = await client.request(name, **payload)
        got = "ack" if reply["type"] == "ack" else reply["code"]
        assert got == expected, (role, name, reply)
