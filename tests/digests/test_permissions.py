"""Who sees which digest, in the inbox, on its page and through the API; who may answer.

Each cell of docs/permissions.md's digests table: a digest invisible to someone is
absent from their lists and answers 404, never 403.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from deliberation.digests import permissions, selectors, services
from deliberation.digests.models import Digest, MinistryResponse

pytestmark = pytest.mark.django_db

LEVELS = ("public", "internal", "restricted")

# role -> disclosure levels of PUBLISHED digests visible in inbox/API (and answerable).
EXPECTED = {
    "anonymous": (),
    "resident": (),
    "facilitator_other": (),
    "ministry_public": ("public",),
    "ministry_internal": ("public", "internal"),
    "ministry_restricted": ("public", "internal", "restricted"),
    "admin": ("public", "internal", "restricted"),
}


@pytest.fixture
def people(
    resident_factory: Any, facilitator_factory: Any, ministry_staff_factory: Any, admin_user: Any
) -> dict[str, Any]:
    return {
        "anonymous": AnonymousUser(),
        "resident": resident_factory(),
        "facilitator_other": facilitator_factory(),
        "ministry_public": ministry_staff_factory(clearance="public"),
        "ministry_internal": ministry_staff_factory(clearance="internal"),
        "ministry_restricted": ministry_staff_factory(clearance="restricted"),
        "admin": admin_user,
    }


@pytest.fixture
def published(make_digest: Any) -> dict[str, Digest]:
    return {level: make_digest(disclosure=level) for level in LEVELS}


def test_inbox_lists_exactly_what_clearance_allows(
    people: dict[str, Any], published: dict[str, Digest]
) -> None:
    for role in EXPECTED:
        check_inbox(role, people[role], published)


def check_inbox(role: str, user: Any, published: dict[str, Digest]) -> None:
    listed = {d.disclosure for d in selectors.published_digests_qs(user, selectors.InboxFilter())}
    assert listed == set(EXPECTED[role])
    for level, digest in published.items():
        assert permissions.can_view_digest(user, digest) == (level in EXPECTED[role])
        assert permissions.can_respond(user, digest) == (
            level in EXPECTED[role] and role.startswith(("ministry", "admin"))
        )
        q_says = Digest.objects.filter(permissions.visible_digests_q(user), pk=digest.pk).exists()
        assert q_says == permissions.can_view_digest(user, digest)


def test_pages_and_api_answer_404_not_403_outside_clearance(
    people: dict[str, Any], published: dict[str, Digest], client: Any
) -> None:
    for role in EXPECTED:
        client.logout()
        if people[role].is_authenticated:
            client.force_login(people[role])
        check_pages(role, published, client)


def check_pages(role: str, published: dict[str, Digest], client: Any) -> None:
    inbox = client.get(reverse("digests:inbox"))
    assert inbox.status_code == (200 if EXPECTED[role] else 404)
    for level, digest in published.items():
        page = client.get(reverse("digests:digest_detail", args=[digest.pk]))
        api = client.get(reverse("api:digest_detail", args=[digest.pk]))
        export = client.get(reverse("digests:digest_export", args=[digest.pk, "csv"]))
        if level in EXPECTED[role]:
            assert page.status_code == api.status_code == export.status_code == 200
            assert digest.title in page.content.decode()
        else:
            assert page.status_code == export.status_code == 404
            assert api.status_code == (401 if role == "anonymous" else 404)
            assert digest.title.encode() not in page.content + api.content
    listing = client.get(reverse("api:digest_list"))
    if role == "anonymous":
        assert listing.status_code == 401
    else:
        assert {d["disclosure"] for d in listing.json()["results"]} == set(EXPECTED[role])


def test_answering_by_role(
    people: dict[str, Any], published: dict[str, Digest], client: Any
) -> None:
    for role in EXPECTED:
        MinistryResponse.objects.all().delete()
        client.logout()
        if people[role].is_authenticated:
            client.force_login(people[role])
        check_answering(role, published, client)


def check_answering(role: str, published: dict[str, Digest], client: Any) -> None:
    digest = published["internal"]
    allowed = "internal" in EXPECTED[role] and role.startswith(("ministry", "admin"))
    page = client.post(
        reverse("digests:response_create", args=[digest.pk]),
        {"status": "reviewing", "text": "검토하겠습니다."},
    )
    api = client.post(
        reverse("api:digest_responses", args=[digest.pk]),
        data={"status": "adopted", "text": "반영합니다."},
        content_type="application/json",
    )
    count = MinistryResponse.objects.filter(digest=digest).count()
    if allowed:
        assert page.status_code == 302 and api.status_code == 201
        assert count == 2
    else:
        assert page.status_code == 404
        assert api.status_code in (401, 403, 404)
        assert count == 0


def test_drafts_and_approved_digests_stay_out_of_the_ministry(
    make_digest: Any, ministry_staff_factory: Any, client: Any
) -> None:
    director = ministry_staff_factory(clearance="restricted")
    draft = make_digest(Digest.Status.DRAFT)
    approved = make_digest(Digest.Status.APPROVED)
    client.force_login(director)
    for digest in (draft, approved):
        assert client.get(reverse("digests:digest_detail", args=[digest.pk])).status_code == 404
        assert not permissions.can_respond(director, digest)
    assert selectors.published_digests_qs(director, selectors.InboxFilter()).count() == 0


def test_managers_see_their_digest_at_every_stage_others_do_not(
    make_digest: Any, facilitator_factory: Any, client: Any
) -> None:
    draft = make_digest(Digest.Status.DRAFT)
    client.force_login(draft.test_facilitator)
    assert client.get(reverse("digests:digest_detail", args=[draft.pk])).status_code == 200
    client.force_login(facilitator_factory())
    assert client.get(reverse("digests:digest_detail", args=[draft.pk])).status_code == 404
    url = reverse("digests:session_digest_generate", args=[draft.session_id])
    assert client.post(url).status_code == 404


def test_ministry_cannot_answer_with_unknown_status_or_empty_text(
    make_digest: Any, ministry_staff_factory: Any
) -> None:
    from django.core.exceptions import ValidationError

    digest = make_digest()
    staff = ministry_staff_factory()
    for status, text in (("maybe", "텍스트"), ("adopted", "   "), ("adopted", "가" * 10_001)):
        with pytest.raises(ValidationError):
            services.response_post(actor=staff, digest=digest, status=status, text=text)
    with pytest.raises(ValidationError):
        services.response_post(
            actor=staff, digest=digest, status="adopted", text="x", proposal_id=999_999
        )
    assert not MinistryResponse.objects.exists()
