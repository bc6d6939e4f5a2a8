"""Who may see and do what with programmes: every cell of the table in docs/permissions.md."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from deliberation.agendas.models import Disclosure
from deliberation.programmes import permissions
from deliberation.programmes.models import Programme
from tests.programmes.conftest import ProgrammeFactory

ORGS = ("busan", "haeundae", "jeonbuk", "mofa")
LEVELS = (Disclosure.PUBLIC, Disclosure.INTERNAL, Disclosure.RESTRICTED)
# Per person: which (organisation, level) programmes they see, which they may edit.
ALL = {(o, lvl) for o in ORGS for lvl in LEVELS}
OPEN = {(o, lvl) for o in ORGS for lvl in (Disclosure.PUBLIC, Disclosure.INTERNAL)}


def _of(*orgs: str, levels: tuple[str, ...] = LEVELS) -> set[tuple[str, str]]:
    return {(o, lvl) for o in orgs for lvl in levels}


EXPECTED: dict[str, tuple[set[tuple[str, str]], set[tuple[str, str]]]] = {
    "anonymous": (set(), set()),
    "resident": (set(), set()),
    "busan_host": (OPEN | _of("busan", "haeundae"), _of("busan", "haeundae")),
    "haeundae_host": (OPEN | _of("haeundae"), _of("haeundae")),
    "jeonbuk_host": (OPEN | _of("jeonbuk"), _of("jeonbuk")),
    "ministry_public": (
        {(o, Disclosure.PUBLIC) for o in ORGS},
        {("mofa", Disclosure.PUBLIC)},
    ),
    "ministry_internal": (OPEN, _of("mofa", levels=(Disclosure.PUBLIC, Disclosure.INTERNAL))),
    "ministry_restricted": (ALL, _of("mofa")),
    "admin": (ALL, ALL),
}
REVIEWERS = {"ministry_public", "ministry_internal", "ministry_restricted", "admin"}


@pytest.fixture
def programmes(world: dict[str, Any]) -> dict[tuple[str, str], Programme]:
    return {
        (o, lvl): ProgrammeFactory(organisation=world[o], disclosure=lvl, title=f"{o} {lvl} 사업")
        for o in ORGS
        for lvl in LEVELS
    }


def _person(world: dict[str, Any], who: str) -> Any:
    return AnonymousUser() if who == "anonymous" else world[who]


@pytest.mark.parametrize("who", list(EXPECTED))
def test_view_and_edit_per_role_and_disclosure(
    world: dict[str, Any], programmes: dict[tuple[str, str], Programme], who: str
) -> None:
    person = _person(world, who)
    sees, edits = EXPECTED[who]
    for cell, programme in programmes.items():
        assert permissions.can_view_programme(person, programme) == (cell in sees), cell
        assert permissions.can_edit_programme(person, programme) == (cell in edits), cell
    listed = set(
        Programme.objects.filter(permissions.visible_programmes_q(person)).values_list(
            "pk", flat=True
        )
    )
    assert listed == {programmes[c].pk for c in sees}
    assert permissions.can_review_overlaps(person) == (who in REVIEWERS)
    assert permissions.can_record_designation(person) == (who in REVIEWERS)
    assert permissions.can_use_registry(person) == (who not in ("anonymous", "resident"))


@pytest.mark.parametrize("who", list(EXPECTED))
def test_pages_answer_per_role(
    world: dict[str, Any], programmes: dict[tuple[str, str], Programme], who: str
) -> None:
    client = Client()
    if who != "anonymous":
        client.force_login(world[who])
    sees, edits = EXPECTED[who]
    for cell in [("busan", Disclosure.RESTRICTED), ("jeonbuk", Disclosure.INTERNAL)]:
        programme = programmes[cell]
        page = client.get(f"/programmes/{programme.pk}/")
        if who == "anonymous":
            assert page.status_code == 302 and "/signin/" in page["Location"]
            continue
        assert page.status_code == (200 if cell in sees else 404), (who, cell)
        edit = client.get(f"/programmes/{programme.pk}/edit/")
        assert edit.status_code == (200 if cell in edits else 404), (who, cell)
    if who == "anonymous":
        return
    registry = client.get("/programmes/")
    assert registry.status_code == (404 if who == "resident" else 200)
    if registry.status_code == 200:
        text = registry.content.decode()
        for cell, programme in programmes.items():
            assert (programme.title in text) == (cell in sees), cell
    duplicates = client.get("/programmes/duplicates/")
    assert duplicates.status_code == (200 if who in REVIEWERS else 404)
    marks = client.get("/programmes/duplicates/marks.csv")
    assert marks.status_code == (200 if who in REVIEWERS else 404)


def test_a_facilitator_cannot_save_another_organisations_programme(
    world: dict[str, Any], programmes: dict[tuple[str, str], Programme]
) -> None:
    client = Client()
    client.force_login(world["jeonbuk_host"])
    target = programmes[("busan", Disclosure.PUBLIC)]
    response = client.post(
        f"/programmes/{target.pk}/edit/",
        {"title": "가로챈 제목", "organisation": world["jeonbuk"].pk},
    )
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.title == "busan public 사업"
