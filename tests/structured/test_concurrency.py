"""One person, one ballot, under fifty simultaneous submissions (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from deliberation.agendas.models import Session
from deliberation.structured import services
from deliberation.structured.models import Ballot, BallotChoice, PhaseKind, Proposal
from tests import factories

from .conftest import run_phase

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SUBMISSIONS = 50


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on the PostgreSQL named by DATABASE_URL")


def test_fifty_concurrent_ballots_from_one_person_leave_one_ballot() -> None:
    session = factories.SessionFactory(kind=Session.Kind.DELIBERATION, state=Session.State.LIVE)
    host = factories.FacilitatorFactory(organisation=session.agenda.organisation)
    voter = factories.ResidentFactory()
    run_phase(session, PhaseKind.PROPOSALS)
    proposals = [
        services.proposal_create(
            actor=factories.ResidentFactory(), session=session, title=f"제안 {i}"
        )
        for i in range(4)
    ]
    services.vote_configure(actor=host, session=session, method="ranking", top_k=3)
    run_phase(session, PhaseKind.VOTE)
    ids = [p.pk for p in proposals]
    # Each thread ranks a different three, so a mixed ballot would show.
    ballots = [[ids[i % 4], ids[(i + 1) % 4], ids[(i + 2) % 4]] for i in range(SUBMISSIONS)]
    barrier = threading.Barrier(SUBMISSIONS)
    errors: list[BaseException] = []

    def submit(choice: list[int]) -> None:
        try:
            barrier.wait(timeout=30)
            services.ballot_submit(actor=voter, session=session, proposal_ids=choice)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(b,)) for b in ballots]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert Ballot.objects.filter(session=session, voter=voter).count() == 1
    stored = list(
        BallotChoice.objects.filter(ballot__session=session, ballot__voter=voter)
        .order_by("rank")
        .values_list("proposal_id", "rank")
    )
    assert [r for _p, r in stored] == [1, 2, 3]
    assert [p for p, _r in stored] in ballots
    assert Proposal.objects.filter(session=session).count() == 4
