"""Read endpoints: agendas, sessions' public record, filters, pagination, the document."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from deliberation.live.models import Statement
from deliberation.structured.models import FrozenResults
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(resident_factory: Any, organisation_factory: Any, issue: Any) -> str:
    return issue(resident_factory(organisation=organisation_factory()))  # type: ignore[no-any-return]


def test_a_sessions_record_shows_what_residents_saw_and_results_once_closed(
    session_factory: Any, resident_factory: Any, token: str, client: Client
) -> None:
    session = session_factory(state="live")
    author = resident_factory(nickname="바다")
    Statement.objects.create(
        session=session, author=author, client_msg_id="1", text="보이는 발언", seq=1
    )
    Statement.objects.create(
        session=session, author=author, client_msg_id="2", text="숨긴 발언", seq=2, status="hidden"
    )
    Statement.objects.create(
        session=session, author=author, client_msg_id="3", text="대기 발언", status="pending"
    )
    FrozenResults.objects.create(session=session, data={"vote": {"ballots": 7}})
    live = client.get(f"/api/sessions/{session.pk}/", **bearer(token)).json()
    assert [s["text"] for s in live["statements"]] == ["보이는 발언"]
    assert live["statements"][0]["nickname"] == author.display_name
    assert live["results"] is None  # not before the session closes
    session.state = "closed"
    session.save()
    closed = client.get(f"/api/sessions/{session.pk}/", **bearer(token)).json()
    assert closed["results"] == {"vote": {"ballots": 7}}


def test_restricted_agendas_and_their_sessions_answer_404(
    session_factory: Any, token: str, client: Client
) -> None:
    hidden = session_factory(agenda__disclosure="restricted")
    assert client.get(f"/api/sessions/{hidden.pk}/", **bearer(token)).status_code == 404
    assert client.get(f"/api/agendas/{hidden.agenda_id}/", **bearer(token)).status_code == 404
    listed = client.get("/api/sessions/", **bearer(token)).json()["results"]
    assert hidden.pk not in [s["id"] for s in listed]


def test_filters_by_municipality_and_date_with_stable_ids(
    session_factory: Any, organisation_factory: Any, token: str, client: Client
) -> None:
    jeonbuk = organisation_factory(name="전북특별자치도")
    jeonju = organisation_factory(name="전주시", parent=jeonbuk)
    busan = organisation_factory(name="부산광역시")
    now = timezone.now()
    early = session_factory(agenda__organisation=jeonju, starts_at=now - dt.timedelta(days=30))
    late = session_factory(agenda__organisation=jeonbuk, starts_at=now)
    other = session_factory(agenda__organisation=busan, starts_at=now)

    def ids(**params: Any) -> list[int]:
        data = client.get("/api/sessions/", params, **bearer(token)).json()
        return [s["id"] for s in data["results"]]

    assert ids(municipality=jeonbuk.pk) == [late.pk, early.pk]
    assert ids(municipality=busan.pk) == [other.pk]
    since = (now - dt.timedelta(days=1)).date().isoformat()
    assert set(ids(since=since)) == {late.pk, other.pk}
    assert ids(until=(now - dt.timedelta(days=29)).date().isoformat()) == [early.pk]
    pages = [ids(page_size=1, page=n) for n in (1, 2, 3)]
    assert sorted(i for page in pages for i in page) == sorted([early.pk, late.pk, other.pk])
    agendas = client.get("/api/agendas/", {"municipality": jeonbuk.pk}, **bearer(token)).json()
    assert {a["id"] for a in agendas["results"]} == {early.agenda_id, late.agenda_id}
    refused = client.get("/api/sessions/", {"since": "어제"}, **bearer(token))
    assert refused.status_code == 400 and "since" in refused.json()["error"]["message"]


def test_the_document_is_generated_and_the_docs_page_served(client: Client) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/agendas/",
        "/api/agendas/{agenda_id}/",
        "/api/sessions/",
        "/api/sessions/{session_id}/",
        "/api/digests/",
        "/api/digests/{digest_id}/",
        "/api/digests/{digest_id}/responses/",
    } <= set(spec["paths"])
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
