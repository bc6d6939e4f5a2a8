"""CSRF on every form that writes, and requests for hosts Madang does not serve."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from deliberation.agendas.models import Agenda, Session
from deliberation.people.models import Organisation, User
from tests.factories import AgendaFactory, OrganisationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene() -> dict[str, Any]:
    region = OrganisationFactory(kind=Organisation.Kind.METROPOLITAN)
    host = UserFactory(role=User.Role.FACILITATOR, organisation=region)
    agenda = AgendaFactory(organisation=region, title="원래 제목")
    session = SessionFactory(agenda=agenda, title="원래 회의")
    return {"region": region, "host": host, "agenda": agenda, "session": session}


def _posts(scene: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    a, s, r = scene["agenda"], scene["session"], scene["region"]
    agenda_form = {
        "organisation": r.pk,
        "title": "위조",
        "topic": "other",
        "disclosure": "public",
        "status": "open",
    }
    session_form = {
        "title": "위조",
        "kind": "open_mic",
        "starts_at": "2030-01-01T10:00",
        "turn_seconds": "60",
    }
    return [
        ("/agendas/new/", agenda_form),
        (f"/agendas/{a.pk}/edit/", agenda_form),
        (f"/agendas/{a.pk}/sessions/new/", session_form),
        (f"/sessions/{s.pk}/edit/", session_form),
        (f"/sessions/{s.pk}/transition/", {"to_state": "live"}),
        (f"/agendas/{a.pk}/invitees/", {"username": scene["host"].username}),
        ("/signout/", {}),
        ("/i18n/setlang/", {"language": "en"}),
    ]


def test_every_facilitator_form_refuses_a_post_without_csrf_token(scene: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(scene["host"])
    for url, data in _posts(scene):
        assert client.post(url, data).status_code == 403, url
    assert Agenda.objects.get().title == "원래 제목"
    assert not Agenda.objects.get().invitees.exists()
    session = Session.objects.get()
    assert (session.title, session.state) == ("원래 회의", "scheduled")
    assert client.get("/").context["participant"] == scene["host"]  # still signed in


def test_the_same_forms_work_with_the_token_from_the_page(scene: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(scene["host"])
    page = client.get(f"/sessions/{scene['session'].pk}/")
    token = page.context["csrf_token"]
    client.post(
        f"/sessions/{scene['session'].pk}/transition/",
        {"to_state": "live", "csrfmiddlewaretoken": str(token)},
    )
    assert Session.objects.get().state == "live"


@pytest.mark.parametrize("path", ["/join/", "/signin/", "/account/attach/"])
def test_sign_in_and_join_forms_need_the_token(path: str) -> None:
    OrganisationFactory(kind=Organisation.Kind.METROPOLITAN)
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, {"nickname": "위조", "username": "x", "password": "y"})
    assert response.status_code == 403
    assert User.objects.count() == 0


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "localhost:8000@evil"])
def test_unknown_hosts_get_400(host: str) -> None:
    response = Client().get("/", HTTP_HOST=host)
    assert response.status_code == 400


def test_known_host_is_served() -> None:
    assert Client().get("/", HTTP_HOST="127.0.0.1").status_code == 200
