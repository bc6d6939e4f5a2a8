"""Stances in the phases that allow them, one-level replies, answered questions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from deliberation.agendas.models import Session
from deliberation.live.models import Statement
from deliberation.structured import selectors, stances
from deliberation.structured.models import PhaseKind

from .conftest import run_phase

pytestmark = pytest.mark.django_db


def _post(actor: Any, session: Session, key: str, **kw: Any) -> Any:
    return stances.statement_post_in_phase(
        actor=actor, session=session, client_msg_id=key, text=kw.pop("text", "의견"), **kw
    )


def test_stance_counts_follow_visible_statements(delib: Session, residents: list[Any]) -> None:
    run_phase(delib, PhaseKind.DISCUSSION)
    a, b, c, d = residents
    _post(a, delib, "1", stance="for")
    _post(b, delib, "2", stance="for")
    _post(c, delib, "3", stance="against")
    q = _post(d, delib, "4", stance="question", text="예산은요?")
    _post(d, delib, "4", stance="question", text="예산은요?")  # a retry counts once
    assert selectors.stance_counts(delib.pk) == {
        "for": 2,
        "against": 1,
        "neutral": 0,
        "question": 1,
    }
    Statement.objects.filter(pk=q.statement_id).update(status=Statement.Status.HIDDEN)
    assert selectors.stance_counts(delib.pk)["question"] == 0


def test_stances_wait_for_the_discussion_and_questions_for_the_briefing(
    delib: Session, residents: list[Any]
) -> None:
    run_phase(delib, PhaseKind.BRIEFING)
    _post(residents[0], delib, "q", stance="question")
    with pytest.raises(PermissionDenied, match="'의견 나누기' 단계에서"):
        _post(residents[0], delib, "s", stance="against")
    run_phase(delib, PhaseKind.VOTE)
    with pytest.raises(PermissionDenied):
        _post(residents[0], delib, "q2", stance="question")
    with pytest.raises(ValidationError):
        _post(residents[0], delib, "bad", stance="maybe")
    # A plain statement (no stance, no reply) is the side discussion: any phase.
    _post(residents[0], delib, "plain")
    assert Statement.objects.filter(session=delib).count() == 2


def test_replies_are_one_level_deep(delib: Session, residents: list[Any]) -> None:
    run_phase(delib, PhaseKind.DISCUSSION)
    root = _post(residents[0], delib, "root", stance="for")
    reply = _post(residents[1], delib, "r1", parent_id=root.statement_id)
    assert Statement.objects.get(pk=reply.statement_id).parent_id == root.statement_id
    with pytest.raises(ValidationError, match="답글에는 다시 답글을 달 수 없습니다"):
        _post(residents[2], delib, "r2", parent_id=reply.statement_id)
    with pytest.raises(ValidationError, match="찾을 수 없습니다"):
        _post(residents[2], delib, "r3", parent_id=999999)
    assert Statement.objects.filter(session=delib).count() == 2


def test_the_facilitator_marks_a_question_answered_and_links_the_answer(
    delib: Session, host: Any, residents: list[Any]
) -> None:
    run_phase(delib, PhaseKind.BRIEFING)
    q = _post(residents[0], delib, "q", stance="question", text="해외 인턴 예산은 얼마인가요?")
    opinion = _post(residents[1], delib, "o")
    answer = _post(host, delib, "a", parent_id=q.statement_id, text="올해 3억 원입니다.")
    with pytest.raises(PermissionDenied):
        stances.question_answer(actor=residents[1], session=delib, statement_id=q.statement_id)
    with pytest.raises(ValidationError, match="질문으로 올라온 발언이 아닙니다"):
        stances.question_answer(actor=host, session=delib, statement_id=opinion.statement_id)
    with pytest.raises(ValidationError, match="자기 자신"):
        stances.question_answer(
            actor=host, session=delib, statement_id=q.statement_id, answer_id=q.statement_id
        )
    with pytest.raises(ValidationError, match="찾을 수 없습니다"):
        stances.question_answer(
            actor=host, session=delib, statement_id=q.statement_id, answer_id=424242
        )
    stances.question_answer(
        actor=host, session=delib, statement_id=q.statement_id, answer_id=answer.statement_id
    )
    stored = Statement.objects.get(pk=q.statement_id)
    assert stored.answered and stored.answer_id == answer.statement_id
    with pytest.raises(ValidationError, match="이미 답변한 질문"):
        stances.question_answer(actor=host, session=delib, statement_id=q.statement_id)
