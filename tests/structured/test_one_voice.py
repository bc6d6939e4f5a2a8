"""Votes, ballots, poll answers and support count once per person: an account, or one
per device for quick-join residents. A second identity on the same phone is refused."""

from __future__ import annotations

import secrets
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from deliberation.agendas.models import Session
from deliberation.people.models import Organisation, User
from deliberation.people.services import resident_join
from deliberation.structured import services
from deliberation.structured.models import Ballot, PhaseKind, PollVote, Support
from tests import factories

from .conftest import run_phase

ATTEMPTS = 50


def _identities(n: int, device_id: str) -> list[User]:
    region = factories.OrganisationFactory(kind=Organisation.Kind.LOCAL)
    return [
        resident_join(nickname=f"같은폰{i}", region=region, device_id=device_id) for i in range(n)
    ]


def _vote_ready(session: Session) -> list[int]:
    host = factories.FacilitatorFactory(organisation=session.agenda.organisation)
    run_phase(session, PhaseKind.PROPOSALS)
    ids = [
        services.proposal_create(
            actor=factories.ResidentFactory(), session=session, title=f"제안 {i}"
        ).pk
        for i in range(3)
    ]
    services.vote_configure(actor=host, session=session, method="approval")
    run_phase(session, PhaseKind.VOTE)
    return ids


@pytest.mark.django_db
def test_a_second_identity_on_one_device_cannot_vote_support_or_answer_twice(
    delib: Session, host: User
) -> None:
    device = secrets.token_hex(16)
    first, second = _identities(2, device)
    run_phase(delib, PhaseKind.PROPOSALS)
    proposal = services.proposal_create(
        actor=factories.ResidentFactory(), session=delib, title="청년 교류 확대"
    )
    services.proposal_support(actor=first, session=delib, proposal_id=proposal.pk)
    with pytest.raises(ValidationError) as refused:
        services.proposal_support(actor=second, session=delib, proposal_id=proposal.pk)
    assert refused.value.code == "already_counted"
    assert "한 번만" in refused.value.messages[0]
    assert Support.objects.filter(proposal=proposal).count() == 2  # the author's and first's

    poll = services.poll_create(
        actor=host, session=delib, question="참석?", options=["예", "아니오"]
    )
    yes = poll.options.first()
    assert yes is not None
    services.poll_vote(actor=first, session=delib, poll_id=poll.pk, option_ids=[yes.pk])
    with pytest.raises(ValidationError, match="한 번만"):
        services.poll_vote(actor=second, session=delib, poll_id=poll.pk, option_ids=[yes.pk])
    # Changing one's own answer still works.
    services.poll_vote(actor=first, session=delib, poll_id=poll.pk, option_ids=[yes.pk])
    assert PollVote.objects.filter(poll=poll).count() == 1

    services.vote_configure(actor=host, session=delib, method="approval")
    run_phase(delib, PhaseKind.VOTE)
    services.ballot_submit(actor=first, session=delib, proposal_ids=[proposal.pk])
    with pytest.raises(ValidationError, match="한 번만"):
        services.ballot_submit(actor=second, session=delib, proposal_ids=[proposal.pk])
    assert Ballot.objects.filter(session=delib).count() == 1


@pytest.mark.django_db
def test_people_on_different_phones_and_accounts_each_count(delib: Session) -> None:
    ids = _vote_ready(delib)
    voters = [
        *_identities(1, secrets.token_hex(16)),
        *_identities(1, secrets.token_hex(16)),
        factories.ResidentFactory(),  # an account counts as itself
    ]
    for voter in voters:
        services.ballot_submit(actor=voter, session=delib, proposal_ids=ids[:1])
    assert Ballot.objects.filter(session=delib).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_identities_on_one_device_leave_one_ballot() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and unique indexes are tested on PostgreSQL (DATABASE_URL)")
    session = factories.SessionFactory(kind=Session.Kind.DELIBERATION, state=Session.State.LIVE)
    ids = _vote_ready(session)
    identities = _identities(ATTEMPTS, secrets.token_hex(16))
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def vote(voter: User, i: int) -> None:
        try:
            barrier.wait(timeout=30)
            services.ballot_submit(actor=voter, session=session, proposal_ids=[ids[i % 3]])
            result = "ok"
        except ValidationError as exc:
            result = str(exc.code)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            result = repr(exc)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=vote, args=(v, i)) for i, v in enumerate(identities)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert sorted(outcomes) == ["already_counted"] * (ATTEMPTS - 1) + ["ok"]
    assert Ballot.objects.filter(session=session).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_poll_answers_from_one_device_count_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and unique indexes are tested on PostgreSQL (DATABASE_URL)")
    session = factories.SessionFactory(state=Session.State.LIVE)
    host = factories.FacilitatorFactory(organisation=session.agenda.organisation)
    poll = services.poll_create(
        actor=host, session=session, question="좋나요?", options=["예", "아니오"]
    )
    option = poll.options.first()
    assert option is not None
    identities = _identities(ATTEMPTS, secrets.token_hex(16))
    barrier = threading.Barrier(ATTEMPTS)
    errors: list[str] = []

    def answer(voter: User) -> None:
        try:
            barrier.wait(timeout=30)
            services.poll_vote(
                actor=voter, session=session, poll_id=poll.pk, option_ids=[option.pk]
            )
        except ValidationError as exc:
            errors.append(str(exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(v,)) for v in identities]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == ["already_counted"] * (ATTEMPTS - 1)
    assert PollVote.objects.filter(poll=poll).count() == 1
