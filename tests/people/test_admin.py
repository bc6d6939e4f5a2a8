"""The back office: every people and agenda model has a working list, search and form."""

from __future__ import annotations

import pytest
from django.test import Client

from deliberation.agendas import services
from deliberation.agendas.models import Agenda
from deliberation.people.models import MunicipalityProfile, Organisation, User
from tests.factories import AgendaFactory, OrganisationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "people/organisation",
    "people/municipalityprofile",
    "people/user",
    "agendas/agenda",
    "agendas/session",
    "agendas/sessiontransition",
]


@pytest.fixture
def admin_client_() -> Client:
    admin = UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    org = OrganisationFactory(name="전북특별자치도")
    MunicipalityProfile.objects.create(organisation=org, international_team_size=9)
    session = SessionFactory(agenda=AgendaFactory(organisation=org))
    services.session_transition(actor=admin, session=session, to_state="live")
    return client


@pytest.mark.parametrize("model", MODELS)
def test_list_search_and_change_pages_open(admin_client_: Client, model: str) -> None:
    assert admin_client_.get(f"/admin/{model}/").status_code == 200
    assert admin_client_.get(f"/admin/{model}/", {"q": "전북"}).status_code == 200
    listing = admin_client_.get(f"/admin/{model}/")
    first = listing.context["cl"].result_list[0]
    assert admin_client_.get(f"/admin/{model}/{first.pk}/change/").status_code == 200


def test_descriptions_saved_in_the_back_office_are_sanitised(admin_client_: Client) -> None:
    agenda = Agenda.objects.get()
    response = admin_client_.post(
        f"/admin/agendas/agenda/{agenda.pk}/change/",
        {
            "title": agenda.title,
            "description_html": '<p onclick="x()">설명</p><script>alert(1)</script>',
            "topic": agenda.topic,
            "organisation": agenda.organisation_id,
            "disclosure": "public",
            "status": "open",
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [(f.formset.prefix, f.formset.errors) for f in response.context["inline_admin_formsets"]],
    )
    agenda.refresh_from_db()
    assert agenda.description_html == "<p>설명</p>alert(1)"


def test_the_back_office_is_closed_to_facilitators() -> None:
    client = Client()
    client.force_login(
        UserFactory(
            role=User.Role.FACILITATOR,
            organisation=Organisation.objects.first() or OrganisationFactory(),
        )
    )
    assert client.get("/admin/agendas/agenda/").status_code == 302
