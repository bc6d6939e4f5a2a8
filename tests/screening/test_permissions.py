"""Every cell of docs/permissions.md's screening table, through the real WebSocket stack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deliberation.live import actions
from tests.live.conftest import Room
from tests.live.test_permission_table import _nest_owner, _person

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
MARK = "<!-- permissions-table:screening -->"


def _table() -> tuple[list[str], dict[str, dict[str, bool]]]:
    lines = DOC.read_text(encoding="utf-8").split(MARK, 1)[1].strip().splitlines()
    roles = [re.findall(r"`([^`]+)`", c)[0] for c in lines[0].split("|")[2:-1]]
    cells = {}
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        parts = line.split("|")[1:-1]
        name = re.findall(r"`([^`]+)`", parts[0])[-1]
        cells[name] = {r: parts[i + 1].strip() == "✓" for i, r in enumerate(roles)}
    return roles, cells


ROLES, CELLS = _table()
# A request that passes the permission check and then stops at the action's own rule.
PROBES = {
    "screening.hide": ({"flag_id": 0}, "not_found"),
    "screening.dismiss": ({"flag_id": 0}, "not_found"),
    "screening.hold": ({"enabled": "yes"}, "bad_field"),
}


def test_the_table_lists_every_screening_action() -> None:
    names = {n for n in actions.action_table() if n.startswith("screening.")}
    assert names == set(CELLS) == set(PROBES)


@pytest.mark.parametrize("role", ROLES)
async def test_every_cell_for_role(room: Room, role: str) -> None:
    await _nest_owner(room.session)
    client = await room.join(await _person(role, room.session))
    for name, allowed in CELLS.items():
        fields, refusal = PROBES[name]
        await client.fail(name, refusal if allowed[role] else "forbidden", **fields)
