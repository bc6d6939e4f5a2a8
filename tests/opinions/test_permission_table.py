"""Every cell of docs/permissions.md "Opinion map" against the real WebSocket stack."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async

from deliberation.live import actions
from deliberation.live.models import RoomEvent
from deliberation.opinions.models import OpinionRoom
from tests.live.conftest import Room
from tests.live.test_permission_table import _nest_owner, _person

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
MARK = "<!-- permissions-table:opinions -->"


def _table() -> tuple[list[str], dict[str, dict[str, bool]]]:
    text = DOC.read_text(encoding="utf-8").split(MARK, 1)[1].strip().splitlines()
    roles = [re.findall(r"`([^`]+)`", cell)[0] for cell in text[0].split("|")[2:-1]]
    cells: dict[str, dict[str, bool]] = {}
    for line in text[2:]:
        if not line.startswith("|"):
            break
        parts = line.split("|")[1:-1]
        action = re.findall(r"`([^`]+)`", parts[0])[-1]
        cells[action] = {role: parts[i + 1].strip() == "✓" for i, role in enumerate(roles)}
    return roles, cells


ROLES, CELLS = _table()

# A harmless request for each allowed cell: past the permission check, stopped by the
# action's own rule, so nothing changes.
PROBES: dict[str, tuple[dict[str, Any], str]] = {
    "opinion.vote": ({"statement_id": 0, "value": "agree"}, "voting_off"),
    "opinion.voting": ({"enabled": "yes"}, "bad_field"),
    "opinion.feature": ({"statement_id": 0}, "not_found"),
}


def test_the_table_lists_every_action_of_the_opinion_map() -> None:
    mine = {
        name
        for name, spec in actions.action_table().items()
        if spec.handler.__module__ == "deliberation.opinions.actions"
    }
    assert mine == set(CELLS) == set(PROBES)


@database_sync_to_async
def _record() -> tuple[int, int]:
    return RoomEvent.objects.count(), OpinionRoom.objects.filter(voting=True).count()


@pytest.mark.parametrize("role", ROLES)
async def test_every_cell_for_role(room: Room, role: str) -> None:
    await _nest_owner(room.session)
    client = await room.join(await _person(role, room.session))
    for name, allowed in CELLS.items():
        before = await _record()
        payload, expected = PROBES[name]
        reply = await client.request(name, **payload)
        if allowed[role]:
            assert reply.get("code") == expected, (role, name, reply)
        else:
            assert reply["type"] == "error" and reply["code"] == "forbidden", (role, name, reply)
        assert await _record() == before, (role, name)
