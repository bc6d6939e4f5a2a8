"""Programme endpoints: what each organisation's token sees is what its pages show."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from deliberation.agendas.models import Disclosure
from deliberation.programmes.models import Programme
from tests.api.conftest import bearer
from tests.programmes.conftest import ProgrammeFactory, kind, world  # noqa: F401

pytestmark = pytest.mark.django_db

ORGS = ("busan", "haeundae", "jeonbuk", "mofa")
LEVELS = (Disclosure.PUBLIC, Disclosure.INTERNAL, Disclosure.RESTRICTED)
PEOPLE = (
    "resident",
    "busan_host",
    "haeundae_host",
    "jeonbuk_host",
    "ministry_public",
    "ministry_internal",
    "ministry_restricted",
)


@pytest.fixture
def grid(world: dict[str, Any]) -> dict[tuple[str, str], Programme]:  # noqa: F811
    """One programme per organisation and disclosure level."""
    return {
        (org, level): ProgrammeFactory(
            organisation=world[org], disclosure=level, title=f"{org} {level} 청년 교류"
        )
        for org in ORGS
        for level in LEVELS
    }


def _all_ids(client: Client, headers: dict[str, str], **params: Any) -> list[int]:
    ids: list[int] = []
    page = 1
    while True:
        body = client.get("/api/programmes/", {**params, "page": page, "page_size": 5}, **headers)
        assert body.status_code == 200
        data = body.json()
        ids += [p["id"] for p in data["results"]]
        if page >= data["pages"]:
            return ids
        page += 1


def test_each_token_sees_the_programmes_its_account_sees_on_the_pages(
    world: dict[str, Any],  # noqa: F811
    grid: dict[tuple[str, str], Programme],
    issue: Any,
    client: Client,
) -> None:
    for person in PEOPLE:
        account = world[person]
        if account.organisation is None:
            account.organisation = world["busan"]
            account.save()
        headers = bearer(issue(account))
        listed = _all_ids(client, headers)
        page_client = Client()
        page_client.force_login(account)
        shown = []
        for key, programme in grid.items():
            page = page_client.get(f"/programmes/{programme.pk}/").status_code
            api = client.get(f"/api/programmes/{programme.pk}/", **headers).status_code
            assert api == (200 if page == 200 else 404), (person, key, page, api)
            if page == 200:
                shown.append(programme.pk)
        assert sorted(listed) == sorted(shown), person
    # The table the pages follow (docs/permissions.md), spot-checked through the API.
    busan_host = bearer(issue(world["busan_host"]))
    seen = set(_all_ids(client, busan_host))
    assert grid[("haeundae", Disclosure.RESTRICTED)].pk in seen  # below its organisation
    assert grid[("jeonbuk", Disclosure.RESTRICTED)].pk not in seen
    assert grid[("jeonbuk", Disclosure.INTERNAL)].pk in seen
    public_only = set(_all_ids(client, bearer(issue(world["ministry_public"]))))
    assert public_only == {p.pk for (_, level), p in grid.items() if level == Disclosure.PUBLIC}


def test_filters_by_municipality_type_stage_and_period(
    world: dict[str, Any],  # noqa: F811
    issue: Any,
    client: Client,
) -> None:
    busan, haeundae, jeonbuk = world["busan"], world["haeundae"], world["jeonbuk"]
    camp = ProgrammeFactory(
        organisation=haeundae,
        kind=kind("policy-contest"),
        stage="pioneering",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 6, 30),
    )
    ongoing = ProgrammeFactory(organisation=busan, starts_on=dt.date(2025, 1, 1))
    past = ProgrammeFactory(
        organisation=jeonbuk, starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2024, 12, 31)
    )
    undated = ProgrammeFactory(organisation=jeonbuk)
    headers = bearer(issue(world["ministry_restricted"]))
    assert set(_all_ids(client, headers, municipality=busan.pk)) == {camp.pk, ongoing.pk}
    assert _all_ids(client, headers, municipality=haeundae.pk) == [camp.pk]
    assert _all_ids(client, headers, kind="policy-contest") == [camp.pk]
    assert _all_ids(client, headers, stage="pioneering") == [camp.pk]
    in_2026 = _all_ids(client, headers, since="2026-01-01", until="2026-12-31")
    assert set(in_2026) == {camp.pk, ongoing.pk}
    assert _all_ids(client, headers, until="2024-06-30") == [past.pk]
    assert set(_all_ids(client, headers, since="2025-06-01")) == {camp.pk, ongoing.pk}
    assert undated.pk in _all_ids(client, headers)
    bad = client.get("/api/programmes/", {"stage": "someday"}, **headers)
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid"
    assert client.get("/api/programmes/", {"since": "어제"}, **headers).status_code == 400


def test_detail_lists_similar_programmes_elsewhere_that_the_caller_may_see(
    world: dict[str, Any],  # noqa: F811
    issue: Any,
    client: Client,
) -> None:
    ours = ProgrammeFactory(
        organisation=world["busan"],
        title="청년 해외 일자리 지원 사업",
        description="지역 청년의 해외 취업과 인턴십을 돕습니다.",
    )
    twin = ProgrammeFactory(
        organisation=world["jeonbuk"],
        title="청년 해외 취업 일자리 사업",
        description="청년이 해외 인턴십과 취업을 하도록 돕습니다.",
        disclosure=Disclosure.INTERNAL,
    )
    hidden_twin = ProgrammeFactory(
        organisation=world["jeonbuk"],
        title="청년 해외 일자리 인턴십 지원",
        description="해외 취업을 원하는 청년을 돕습니다.",
        disclosure=Disclosure.RESTRICTED,
    )
    ProgrammeFactory(organisation=world["jeonbuk"], title="어르신 전통공예 전시회")
    host = client.get(f"/api/programmes/{ours.pk}/", **bearer(issue(world["busan_host"]))).json()
    assert host["organisation"]["id"] == world["busan"].pk
    similar = [s["id"] for s in host["similar"]]
    assert similar[0] == twin.pk
    assert hidden_twin.pk not in similar  # restricted to 전북: not the 부산 host's to see
    assert "청년" in " ".join(host["similar"][0]["shared_terms"])
    ministry = client.get(
        f"/api/programmes/{ours.pk}/", **bearer(issue(world["ministry_restricted"]))
    ).json()
    assert {twin.pk, hidden_twin.pk} <= {s["id"] for s in ministry["similar"]}


def test_a_nul_character_in_a_filter_is_dropped_not_a_server_error(
    client: Any, ministry_staff_factory: Any, issue: Any
) -> None:
    raw = issue(ministry_staff_factory(clearance="internal"), "read")
    for path in ("/api/programmes/?q=%00%EC%B2%AD%EB%85%84", "/api/digests/?q=a%00b&topic=%00"):
        response = client.get(path, **bearer(raw))
        assert response.status_code == 200, (path, response.content[:200])
