"""The demo command leaves ministry staff a published digest with an answer, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from deliberation.digests.models import Digest, MinistryResponse
from deliberation.people.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_demo_digests_is_idempotent() -> None:
    call_command("seed_demo")
    call_command("seed_demo_digests")
    call_command("seed_demo_digests")
    digest = Digest.objects.get()
    assert digest.status == Digest.Status.PUBLISHED and digest.statement_count == 8
    assert {k["word"] for k in digest.keywords} & {"청년", "인턴십", "일자리"}
    assert MinistryResponse.objects.count() == 1
    staff = User.objects.get(username="mofa_staff")
    from deliberation.digests import permissions

    assert permissions.can_view_digest(staff, digest)
