"""Who may open the room, console and projector pages, and what the pages hand their scripts."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from deliberation.agendas.models import Disclosure, Session
from deliberation.people.identity import resident_token

pytestmark = pytest.mark.django_db


def as_resident(client: Client, user: Any) -> Client:
    client.cookies[settings.RESIDENT_COOKIE_NAME] = resident_token(user)
    return client


def page_config(response: Any) -> dict[str, Any]:
    match = re.search(
        rb'<script id="room-config" type="application/json">(.*?)</script>', response.content
    )
    assert match, "the page carries its room configuration"
    return json.loads(match.group(1))


@pytest.fixture
def live_session(session_factory: Any, facilitator: Any) -> Session:
    return session_factory(state=Session.State.LIVE, agenda__organisation=facilitator.organisation)


def test_resident_without_identity_is_sent_to_quick_join(
    client: Client, live_session: Session
) -> None:
    response = client.get(f"/sessions/{live_session.pk}/room/")
    assert response.status_code == 302
    assert response["Location"] == (
        f"/join/?next=%2Fsessions%2F{live_session.pk}%2Froom%2F&session={live_session.pk}"
    )


def test_resident_sees_the_room_in_korean(
    client: Client, live_session: Session, resident: Any
) -> None:
    response = as_resident(client, resident).get(f"/sessions/{live_session.pk}/room/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "발언대" in body and "발언 신청" in body and "자유 토론" in body
    config = page_config(response)
    assert config["ws_path"] == f"/ws/sessions/{live_session.pk}/"
    assert config["me"] == {"id": resident.pk, "nickname": resident.nickname, "moderator": False}
    strings = re.search(
        rb'<script id="room-strings" type="application/json">(.*?)</script>', response.content
    )
    assert strings and json.loads(strings.group(1))["state_reconnecting"] == "다시 연결 중…"


def test_restricted_room_is_invisible(client: Client, session_factory: Any, resident: Any) -> None:
    hidden = session_factory(state=Session.State.LIVE, agenda__disclosure=Disclosure.RESTRICTED)
    assert client.get(f"/sessions/{hidden.pk}/room/").status_code == 404
    assert as_resident(client, resident).get(f"/sessions/{hidden.pk}/room/").status_code == 404
    assert client.get("/sessions/999999/room/").status_code == 404


def test_console_and_projector_are_for_the_session_facilitators(
    client: Client, live_session: Session, resident: Any, facilitator: Any, facilitator_factory: Any
) -> None:
    for page in ("console", "projector"):
        url = f"/sessions/{live_session.pk}/{page}/"
        assert Client().get(url).status_code == 302  # sign in first
        assert as_resident(Client(), resident).get(url).status_code == 403
        outsider = Client()
        outsider.force_login(facilitator_factory())
        assert outsider.get(url).status_code == 403
        client.force_login(facilitator)
        response = client.get(url)
        assert response.status_code == 200
        assert page_config(response)["me"]["moderator"] is True


def test_projector_shows_a_qr_code_for_the_short_join_link(
    client: Client, live_session: Session, facilitator: Any
) -> None:
    client.force_login(facilitator)
    body = client.get(f"/sessions/{live_session.pk}/projector/").content.decode()
    assert "<svg" in body
    assert f"/j/{live_session.join_code}/" in body


def test_short_link_joins_first_then_enters_the_room(
    client: Client, live_session: Session, resident: Any
) -> None:
    response = client.get(f"/j/{live_session.join_code}/")
    assert response.status_code == 302
    assert response["Location"] == (
        f"/join/?next=%2Fsessions%2F{live_session.pk}%2Froom%2F&session={live_session.pk}"
    )
    response = as_resident(client, resident).get(f"/j/{live_session.join_code}/")
    assert response["Location"] == f"/sessions/{live_session.pk}/room/"
    assert client.get("/j/no-such-code/").status_code == 404


def test_console_starts_a_scheduled_session(
    client: Client, session_factory: Any, facilitator: Any
) -> None:
    scheduled = session_factory(agenda__organisation=facilitator.organisation)
    client.force_login(facilitator)
    page = client.get(f"/sessions/{scheduled.pk}/console/").content.decode()
    assert "회의 시작" in page
    response = client.post(f"/sessions/{scheduled.pk}/console/open/")
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.state == Session.State.LIVE


def test_every_named_panel_template_exists_and_is_on_its_page(
    client: Client, live_session: Session, resident: Any
) -> None:
    from django.template.loader import get_template

    from deliberation.live.views import PANEL_TEMPLATES

    for names in PANEL_TEMPLATES.values():
        for name in names:
            get_template(name)  # a name without a template fails here, not silently
    response = as_resident(client, resident).get(f"/sessions/{live_session.pk}/room/")
    assert response.status_code == 200
    assert response.context["panels"] == PANEL_TEMPLATES["room"]
    assert "data-delib=" in response.content.decode()


def test_a_missing_panel_template_is_an_error(
    client: Client, live_session: Session, resident: Any, monkeypatch: Any
) -> None:
    from django.template import TemplateDoesNotExist

    from deliberation.live import views

    monkeypatch.setitem(views.PANEL_TEMPLATES, "room", ["digests/room_panel.html"])
    with pytest.raises(TemplateDoesNotExist):
        as_resident(client, resident).get(f"/sessions/{live_session.pk}/room/")


def test_closed_room_says_so_and_does_not_connect(
    client: Client, session_factory: Any, resident: Any
) -> None:
    closed = session_factory(state=Session.State.CLOSED)
    body = as_resident(client, resident).get(f"/sessions/{closed.pk}/room/").content.decode()
    assert "종료된 회의입니다" in body
    assert 'data-joinable="0"' in body
