"""Property: whatever people submit, in whatever order, each holds at most one ballot,
equal to the last submission that was accepted; refusals change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberation.agendas.models import Session
from deliberation.structured import selectors, services
from deliberation.structured.models import Ballot, PhaseKind, Proposal

from .conftest import run_phase

pytestmark = pytest.mark.django_db

# Choice lists drawn from the session's proposals (indexes 0..3), a foreign id (-1),
# duplicates and empty lists included.
submission = st.tuples(
    st.integers(min_value=0, max_value=2),
    st.lists(st.integers(min_value=-1, max_value=3), max_size=4),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(submissions=st.lists(submission, max_size=12))
def test_one_ballot_per_person_whatever_the_order(
    delib: Session, host: Any, residents: list[Any], submissions: list[tuple[int, list[int]]]
) -> None:
    Ballot.objects.filter(session=delib).delete()
    if not Proposal.objects.filter(session=delib).exists():
        run_phase(delib, PhaseKind.PROPOSALS)
        for i in range(3):
            services.proposal_create(actor=residents[3], session=delib, title=f"제안 {i}")
        services.vote_configure(actor=host, session=delib, method="ranking", top_k=3)
        run_phase(delib, PhaseKind.VOTE)
    ids = list(Proposal.objects.filter(session=delib).order_by("pk").values_list("pk", flat=True))
    expected: dict[int, list[int]] = {}
    for who, picks in submissions:
        voter = residents[who]
        chosen = [ids[p] if 0 <= p < len(ids) else 10**9 for p in picks]
        try:
            services.ballot_submit(actor=voter, session=delib, proposal_ids=chosen)
        except (ValidationError, PermissionDenied):
            valid = bool(chosen) and len(set(chosen)) == len(chosen) and set(chosen) <= set(ids)
            assert not valid or len(chosen) > 3
            continue
        expected[voter.pk] = chosen
    for voter in residents[:3]:
        assert Ballot.objects.filter(session=delib, voter=voter).count() == (
            1 if voter.pk in expected else 0
        )
        assert selectors.my_ballot(delib.pk, voter) == expected.get(voter.pk, [])
    assert selectors.ballot_count(delib.pk) == len(expected)
