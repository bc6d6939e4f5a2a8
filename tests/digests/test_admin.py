"""The back office cannot bypass workflows: digests and the rooms' record are read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from deliberation.analysis.models import TextAnalysis
from deliberation.digests.models import Digest
from deliberation.live.models import Participant, Report, Statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(admin_factory: Any) -> Client:
    client = Client()
    client.force_login(admin_factory(is_staff=True, is_superuser=True))
    return client


def test_a_draft_cannot_be_published_from_the_back_office(
    make_digest: Any, staff_client: Client
) -> None:
    digest = make_digest(Digest.Status.DRAFT)
    url = f"/admin/digests/digest/{digest.pk}/change/"
    page = staff_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="status"' not in html and 'name="disclosure"' not in html
    response = staff_client.post(url, {"status": "published", "disclosure": "public"})
    assert response.status_code == 403
    digest.refresh_from_db()
    assert digest.status == Digest.Status.DRAFT and digest.published_at is None
    assert not digest.deliveries.exists()
    assert staff_client.get("/admin/digests/digest/add/").status_code == 403


@pytest.mark.parametrize(
    "model",
    [
        "live/statement",
        "live/report",
        "live/participant",
        "live/moderationaction",
        "analysis/textanalysis",
        "digests/ministryresponse",
        "digests/webhookdelivery",
    ],
)
def test_the_rooms_record_is_listed_read_only(staff_client: Client, model: str) -> None:
    assert staff_client.get(f"/admin/{model}/").status_code == 200
    assert staff_client.get(f"/admin/{model}/add/").status_code == 403


def test_a_statement_cannot_be_edited_or_deleted(
    staff_client: Client, session_factory: Any, resident_factory: Any
) -> None:
    session = session_factory()
    statement = Statement.objects.create(
        session=session, author=resident_factory(), client_msg_id="a", text="원래 발언"
    )
    Report.objects.create(statement=statement, reporter=resident_factory(), reason="욕설")
    Participant.objects.create(session=session, person=statement.author, banned=True)
    TextAnalysis.objects.create(
        kind="statement", object_id=statement.pk, session=session, requested_at=statement.created_at
    )
    url = f"/admin/live/statement/{statement.pk}/change/"
    assert staff_client.get(url).status_code == 200
    staff_client.post(url, {"text": "바뀐 발언", "status": "visible"})
    staff_client.post(f"/admin/live/statement/{statement.pk}/delete/", {"post": "yes"})
    statement.refresh_from_db()
    assert statement.text == "원래 발언"
    banned = staff_client.get("/admin/live/participant/", {"banned__exact": "1"})
    assert session.title in banned.content.decode()
