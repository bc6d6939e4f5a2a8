"""Tokens for systems: issued per organisation, scoped, revocable, logged; they see what
their account sees on the pages, no more."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from deliberation.api import services
from deliberation.api.models import ApiToken, ApiTokenUse
from deliberation.digests.models import Digest, MinistryResponse
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

ANSWER = {"status": "adopted", "text": "반영하겠습니다."}


def test_an_administrator_issues_a_token_shown_once(
    admin_factory: Any, ministry_staff_factory: Any, client: Client
) -> None:
    staff = ministry_staff_factory(clearance="internal")
    client.force_login(admin_factory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/api/apitoken/add/",
        {
            "name": "외교부 문서 시스템",
            "organisation": staff.organisation_id,
            "account": staff.pk,
            "scope": "read",
        },
        follow=True,
    )
    page = response.content.decode()
    raw = re.search(r"mdg_[A-Za-z0-9_\-]+", page)
    assert raw is not None, page
    token = ApiToken.objects.get()
    assert token.key_hash != raw.group(0) and raw.group(0) not in token.key_hash
    listing = Client().get("/api/digests/", **bearer(raw.group(0)))
    assert listing.status_code == 200
    # The secret is never shown again.
    again = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert raw.group(0) not in again


def test_a_token_belongs_to_an_account_of_its_organisation(
    admin_factory: Any, ministry_staff_factory: Any, organisation_factory: Any
) -> None:
    with pytest.raises(ValidationError):
        services.token_issue(
            actor=admin_factory(is_superuser=True),
            organisation=organisation_factory(),
            account=ministry_staff_factory(),
            name="x",
            scope="read",
        )


def test_requests_without_a_valid_token_are_refused(client: Client) -> None:
    for headers in ({}, bearer("mdg_not-a-token"), {"HTTP_AUTHORIZATION": "Basic eDp5"}):
        response = client.get("/api/agendas/", **headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


def test_tokens_see_what_their_account_sees(
    make_digest: Any, ministry_staff_factory: Any, issue: Any, client: Client
) -> None:
    digests = {
        level: make_digest(disclosure=level) for level in ("public", "internal", "restricted")
    }
    for clearance, visible in (
        ("public", {"public"}),
        ("internal", {"public", "internal"}),
        ("restricted", {"public", "internal", "restricted"}),
    ):
        raw = issue(ministry_staff_factory(clearance=clearance))
        listed = client.get("/api/digests/", **bearer(raw)).json()["results"]
        assert {d["disclosure"] for d in listed} == visible
        for level, digest in digests.items():
            one = client.get(f"/api/digests/{digest.pk}/", **bearer(raw))
            assert one.status_code == (200 if level in visible else 404)
            if level not in visible:
                assert digest.title not in one.content.decode()


def test_a_read_token_cannot_answer_and_a_write_token_can(
    make_digest: Any, ministry_staff_factory: Any, issue: Any, client: Client
) -> None:
    digest = make_digest(disclosure="internal")
    staff = ministry_staff_factory(clearance="internal")
    url = f"/api/digests/{digest.pk}/responses/"
    refused = client.post(url, ANSWER, content_type="application/json", **bearer(issue(staff)))
    assert refused.status_code == 403 and not MinistryResponse.objects.exists()
    written = client.post(
        url, ANSWER, content_type="application/json", **bearer(issue(staff, "write"))
    )
    assert written.status_code == 201, written.content
    assert written.json()["text"] == "반영하겠습니다."
    assert MinistryResponse.objects.get().author == staff


def test_a_revoked_token_stops_at_once_and_every_use_is_logged(
    ministry_staff_factory: Any, admin_factory: Any, issue: Any, client: Client
) -> None:
    raw = issue(ministry_staff_factory())
    assert client.get("/api/agendas/", **bearer(raw)).status_code == 200
    token = ApiToken.objects.get()
    services.token_revoke(actor=admin_factory(is_superuser=True), token=token)
    assert client.get("/api/agendas/", **bearer(raw)).status_code == 401
    uses = list(ApiTokenUse.objects.filter(token=token).order_by("at", "pk"))
    assert [(u.method, u.path, u.allowed) for u in uses] == [
        ("GET", "/api/agendas/", True),
        ("GET", "/api/agendas/", False),
    ]


def test_only_administrators_issue_tokens(ministry_staff_factory: Any) -> None:
    staff = ministry_staff_factory()
    with pytest.raises(services.PermissionDenied):
        services.token_issue(
            actor=staff, organisation=staff.organisation, account=staff, name="x", scope="write"
        )


def test_browser_session_still_works_and_writes_need_csrf(
    make_digest: Any, ministry_staff_factory: Any
) -> None:
    digest = make_digest(disclosure="public")
    client = Client(enforce_csrf_checks=True)
    client.force_login(ministry_staff_factory(clearance="public"))
    assert client.get(f"/api/digests/{digest.pk}/").status_code == 200
    url = f"/api/digests/{digest.pk}/responses/"
    assert client.post(url, ANSWER, content_type="application/json").status_code in (401, 403)
    assert not MinistryResponse.objects.exists()
    assert Digest.objects.get(pk=digest.pk).status == Digest.Status.PUBLISHED
