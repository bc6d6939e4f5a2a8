"""docs/permissions.md's programmes table, checked cell by cell against the predicates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from deliberation.agendas.models import Disclosure
from deliberation.programmes import permissions
from tests.programmes.conftest import ProgrammeFactory

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
MARK = "<!-- permissions-table:programmes -->"


def read_table() -> dict[str, dict[str, bool]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").split(MARK, 1)[1].strip().splitlines():
        if not line.startswith("|"):
            break  # the table ends at its first other line
        rows.append(line)
    header = [re.findall(r"`([a-z_]+)`", c) for c in rows[0].strip("|").split("|")]
    actions = [found[-1] for found in header[1:]]
    table = {}
    for row in rows[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        role = re.findall(r"`([a-z_]+)`", cells[0])[-1]
        table[role] = {a: c == "✓" for a, c in zip(actions, cells[1:], strict=True)}
    return table


TABLE = read_table()
# (person, their own organisation, another organisation)
CAST = {
    "anonymous": (None, "busan", "jeonbuk"),
    "resident": ("resident", "busan", "jeonbuk"),
    "facilitator_own": ("busan_host", "busan", "jeonbuk"),
    "facilitator_parent": ("busan_host", "haeundae", "jeonbuk"),
    "ministry_public": ("ministry_public", "mofa", "busan"),
    "ministry_internal": ("ministry_internal", "mofa", "busan"),
    "ministry_restricted": ("ministry_restricted", "mofa", "busan"),
    "admin": ("admin", "busan", "jeonbuk"),
}


def test_the_table_names_every_role() -> None:
    assert set(TABLE) == set(CAST)


@pytest.mark.parametrize("role", list(CAST))
def test_every_cell(world: dict[str, Any], role: str) -> None:
    who, own, other = CAST[role]
    person = AnonymousUser() if who is None else world[who]

    def programme(org: str, level: str) -> Any:
        return ProgrammeFactory(organisation=world[org], disclosure=level)

    actual = {
        "registry": permissions.can_use_registry(person),
        "read_public": permissions.can_view_programme(person, programme(other, Disclosure.PUBLIC)),
        "read_internal": permissions.can_view_programme(
            person, programme(other, Disclosure.INTERNAL)
        ),
        "read_restricted": permissions.can_view_programme(
            person, programme(other, Disclosure.RESTRICTED)
        ),
        "edit_own": permissions.can_edit_programme(person, programme(own, Disclosure.PUBLIC)),
        "edit_own_restricted": permissions.can_edit_programme(
            person, programme(own, Disclosure.RESTRICTED)
        ),
        "edit_other": permissions.can_edit_programme(person, programme(other, Disclosure.PUBLIC)),
        "review": permissions.can_review_overlaps(person),
        "designate": permissions.can_record_designation(person),
    }
    assert actual == TABLE[role]
