"""``make run``'s demo data: a live open mic where residents voted and groups formed."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from deliberation.opinions.demo import SESSION_TITLE
from deliberation.opinions.models import OpinionRoom, StatementVote

pytestmark = pytest.mark.django_db


def test_the_demo_room_has_voting_on_and_groups_twice_over() -> None:
    for _ in range(2):  # safe to repeat
        call_command("seed_demo", stdout=None)
    room = OpinionRoom.objects.get(session__title=SESSION_TITLE)
    assert room.voting
    assert len(room.result["groups"]) >= 2
    assert room.result["consensus"]
    assert StatementVote.objects.filter(session=room.session).count() == 30 * 6
