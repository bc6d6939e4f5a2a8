"""The deliberation matrix, cell by cell: docs/permissions.md == MATRIX == what services do."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from deliberation.agendas.models import Session
from deliberation.live.models import RoomEvent, Statement
from deliberation.structured import permissions as P
from deliberation.structured import services, stances
from deliberation.structured.models import Poll, PollOption, Proposal, VoteConfig
from tests import factories

from .conftest import run_phase

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def _doc_table(role: str) -> dict[tuple[str, str], bool]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"<!-- permissions-table:deliberation:{role} -->")
    lines = [ln for ln in text[start:].splitlines()[1:] if ln.strip()]
    rows: list[str] = []
    for ln in lines:
        if not ln.startswith("|"):
            break
        rows.append(ln)
    header = re.findall(r"`([a-z_]+)`", rows[0])
    cells: dict[tuple[str, str], bool] = {}
    for row in rows[2:]:
        parts = [p.strip() for p in row.strip("|").split("|")]
        action = re.findall(r"`([a-z_]+)`", parts[0])[-1]
        for phase, mark in zip(header, parts[1:], strict=True):
            assert mark in ("✓", "✗"), row
            cells[(phase, action)] = mark == "✓"
    return cells


@pytest.mark.parametrize("role", P.ROLES)
def test_the_documented_table_is_the_code(role: str) -> None:
    table = _doc_table(role)
    assert set(table) == {(ph, a) for ph in P.PHASES for a in P.ACTIONS}
    for (phase, action), allowed in table.items():
        assert P.allowed(role, phase, action) is allowed, (role, phase, action)


# --- every cell against the real services ------------------------------------------------


@pytest.fixture
def stage(db: Any) -> dict[str, Any]:
    """A live deliberation with something to act on in every phase."""
    agenda = factories.AgendaFactory()
    session = factories.SessionFactory(
        agenda=agenda, kind=Session.Kind.DELIBERATION, state=Session.State.LIVE
    )
    people = {
        P.FACILITATOR: factories.FacilitatorFactory(organisation=agenda.organisation),
        P.PARTICIPANT: factories.ResidentFactory(),
        P.OBSERVER: factories.MinistryStaffFactory(),
    }
    author = factories.ResidentFactory()
    p1 = Proposal.objects.create(session=session, author=author, title="제안 하나")
    p2 = Proposal.objects.create(session=session, author=author, title="제안 둘")
    VoteConfig.objects.create(session=session)
    poll = Poll.objects.create(session=session, question="어때요?")
    option = PollOption.objects.create(poll=poll, label="좋아요", order=1)
    PollOption.objects.create(poll=poll, label="글쎄요", order=2)
    question = Statement.objects.create(
        session=session, author=author, client_msg_id="q0", text="궁금합니다", stance="question"
    )
    return {
        "question": question,
        "session": session,
        "people": people,
        "p1": p1,
        "p2": p2,
        "poll": poll,
        "option": option,
    }


def _attempt(action: str, actor: Any, s: dict[str, Any]) -> Callable[[], Any] | None:
    session = s["session"]
    calls: dict[str, Callable[[], Any]] = {
        P.PROPOSAL_CREATE: lambda: services.proposal_create(
            actor=actor, session=session, title="새 제안", body="<p>내용</p>"
        ),
        P.PROPOSAL_SUPPORT: lambda: services.proposal_support(
            actor=actor, session=session, proposal_id=s["p1"].pk
        ),
        P.BALLOT_SUBMIT: lambda: services.ballot_submit(
            actor=actor, session=session, proposal_ids=[s["p1"].pk]
        ),
        P.POLL_VOTE: lambda: services.poll_vote(
            actor=actor, session=session, poll_id=s["poll"].pk, option_ids=[s["option"].pk]
        ),
        P.PHASE_CONTROL: lambda: services.phases_update(
            actor=actor, session=session, phases=_same_phases(session)
        ),
        P.PROPOSAL_EDIT: lambda: services.proposal_edit(
            actor=actor, session=session, proposal_id=s["p1"].pk, title="다듬은 제안", body=""
        ),
        P.PROPOSAL_MERGE: lambda: services.proposal_merge(
            actor=actor, session=session, target_id=s["p1"].pk, source_ids=[s["p2"].pk]
        ),
        P.VOTE_CONFIG: lambda: services.vote_configure(
            actor=actor, session=session, method="ranking", top_k=2
        ),
        P.POLL_MANAGE: lambda: services.poll_close(
            actor=actor, session=session, poll_id=s["poll"].pk
        ),
        P.WRAPUP_SET: lambda: services.wrapup_set(
            actor=actor, session=session, conclusion="<p>결론</p>"
        ),
    }
    question = s["question"]
    calls.update(
        {
            P.QUESTION: lambda: stances.statement_post_in_phase(
                actor=actor, session=session, client_msg_id="q", text="질문", stance="question"
            ),
            P.STANCE: lambda: stances.statement_post_in_phase(
                actor=actor, session=session, client_msg_id="s", text="찬성", stance="for"
            ),
            P.REPLY: lambda: stances.statement_post_in_phase(
                actor=actor, session=session, client_msg_id="r", text="답글", parent_id=question.pk
            ),
            P.QUESTION_ANSWER: lambda: stances.question_answer(
                actor=actor, session=session, statement_id=question.pk
            ),
        }
    )
    return calls.get(action)


def _same_phases(session: Session) -> list[dict[str, Any]]:
    return [
        {"id": p.pk, "kind": p.kind, "minutes": max(p.planned_seconds // 60, 1)}
        for p in session.phases.all()
    ]


CELLS = [(r, ph, a) for r in P.ROLES for ph in P.PHASES for a in P.ACTIONS]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "phase", "action"), CELLS)
def test_every_cell(stage: dict[str, Any], role: str, phase: str, action: str) -> None:
    session = stage["session"]
    run_phase(session, None if phase == P.NONE else phase)
    actor = stage["people"][role]
    assert P.role_in(actor, session) == role
    allowed = P.allowed(role, phase, action)
    assert P.can_act(actor, session, phase, action) is allowed
    call = _attempt(action, actor, stage)
    assert call is not None, f"no service tried for {action}"
    seq = Session.objects.get(pk=session.pk).last_seq
    if allowed:
        assert call() is not None
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert Session.objects.get(pk=session.pk).last_seq == seq
        assert RoomEvent.objects.filter(session=session).count() == seq


@pytest.mark.django_db
def test_someone_with_no_place_in_the_room_may_do_nothing(stage: dict[str, Any]) -> None:
    from django.contrib.auth.models import AnonymousUser

    from deliberation.agendas.models import Disclosure

    session = stage["session"]
    run_phase(session, "proposals")
    assert P.role_in(AnonymousUser(), session) is None
    session.agenda.disclosure = Disclosure.RESTRICTED
    session.agenda.save()
    outsider = factories.ResidentFactory()
    assert P.role_in(outsider, session) is None
    for phase in P.PHASES:
        for action in P.ACTIONS:
            assert not P.can_act(outsider, session, phase, action)
    with pytest.raises(PermissionDenied):
        services.proposal_create(actor=outsider, session=session, title="몰래")


@pytest.mark.django_db
def test_the_refusal_names_the_phase_where_it_is_allowed(stage: dict[str, Any]) -> None:
    session = stage["session"]
    run_phase(session, "briefing")
    with pytest.raises(PermissionDenied, match="'제안' 단계에서 할 수 있습니다"):
        services.proposal_create(
            actor=stage["people"][P.PARTICIPANT], session=session, title="너무 이른 제안"
        )
    with pytest.raises(ValidationError):
        # Allowed by the matrix, refused by the object: the vote closed.
        run_phase(session, "vote")
        VoteConfig.objects.filter(session=session).update(closed_at="2026-01-01T00:00:00Z")
        services.ballot_submit(
            actor=stage["people"][P.PARTICIPANT], session=session, proposal_ids=[stage["p1"].pk]
        )
